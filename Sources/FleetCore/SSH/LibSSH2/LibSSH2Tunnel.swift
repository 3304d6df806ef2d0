import CSSH2
import Foundation

/// A `direct-tcpip` channel of a bastion session, joined to one end of a local `socketpair`.
///
/// The other end of the pair (``takePeer()``) is the socket the next session (a host or another
/// bastion) runs over, on its own thread. ``pump()`` moves bytes both ways without blocking, on the
/// bastion session's thread, which owns this channel like every other libssh2 object of its session.
/// Each direction holds at most one 256 KiB chunk, so a slow reader stalls only its own channel:
/// the SSH channel window (and the socket buffer) push back on the writer.
final class LibSSH2Tunnel {
    private let raw: OpaquePointer
    private let session: LibSSH2Session
    /// Our end of the pair, non-blocking.
    private let local: Int32
    /// The end given to the next session, until taken.
    private var peer: Int32?
    /// Where the channel leads, for errors.
    let destination: String

    private static let chunk = 256 * 1024
    private var outbound = [UInt8](repeating: 0, count: LibSSH2Tunnel.chunk)
    private var outboundRange = 0..<0
    private var inbound = [UInt8](repeating: 0, count: LibSSH2Tunnel.chunk)
    private var inboundRange = 0..<0
    /// The next session closed its end (or it failed): nothing more goes into the channel.
    private var localClosed = false
    /// The far end closed the channel: nothing more comes out of it.
    private var remoteClosed = false
    /// Set once the channel is freed.
    private var freed = false

    /// Starts (or continues) opening a `direct-tcpip` channel to `host`:`port` from the bastion.
    ///
    /// libssh2 keeps one channel open in progress per session: until this returns a tunnel or throws,
    /// call it again with the same arguments, and open no other channel.
    /// - Returns: the tunnel, or nil while the bastion has not answered yet.
    /// - Throws: `.connect` when the bastion refuses or cannot reach the destination; a transport
    ///   failure breaks the session.
    static func open(session: LibSSH2Session, host: String, port: Int) throws(SSHError) -> LibSSH2Tunnel? {
        let destination = port == 22 ? host : "\(host):\(port)"
        try session.ensureUsable("open direct-tcpip to \(destination)")
        guard let raw = libssh2_channel_direct_tcpip_ex(session.raw, host, Int32(port), "127.0.0.1", 0) else {
            let rc = libssh2_session_last_errno(session.raw)
            if rc == LIBSSH2_ERROR_EAGAIN { return nil }
            throw session.error(
                rc: rc, operation: "open direct-tcpip to \(destination)", code: .connect,
                hint: "Check that the bastion can reach \(destination) and that its sshd allows TCP forwarding "
                    + "(AllowTcpForwarding)")
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            let reason = GoText.errno(errno, capitalized: true)
            _ = libssh2_channel_free(raw)
            throw SSHError(
                .connect, host: session.host, operation: "open direct-tcpip to \(destination)",
                message: "socketpair: \(reason)")
        }
        return LibSSH2Tunnel(raw: raw, session: session, local: pair[0], peer: pair[1], destination: destination)
    }

    private init(raw: OpaquePointer, session: LibSSH2Session, local: Int32, peer: Int32, destination: String) {
        self.raw = raw
        self.session = session
        self.local = local
        self.peer = peer
        self.destination = destination
        _ = fcntl(local, F_SETFL, fcntl(local, F_GETFL) | O_NONBLOCK)
        _ = fcntl(peer, F_SETFL, fcntl(peer, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        // A tunnel still open when its bastion goes away: the session frees the channel with itself.
        close(local)
        if let peer { close(peer) }
    }

    /// The socket for the next session, handed over once; the caller closes it.
    func takePeer() -> Int32? {
        defer { peer = nil }
        return peer
    }

    /// Both directions are over: the tunnel only needs ``release()``.
    var isDone: Bool { localClosed || (remoteClosed && inboundRange.isEmpty) }

    /// Moves what can move now in both directions; returns whether anything moved.
    func pump() -> Bool {
        guard !isDone else { return false }
        var moved = false
        // Local → channel.
        if outboundRange.isEmpty && !localClosed {
            let count = outbound.withUnsafeMutableBytes { recv(local, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                outboundRange = 0..<count
                moved = true
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                localClosed = true
                return true
            }
        }
        while !outboundRange.isEmpty {
            let written = outbound.withUnsafeBytes { all in
                cssh2_channel_write(
                    raw, all.baseAddress!.advanced(by: outboundRange.lowerBound).assumingMemoryBound(to: CChar.self),
                    outboundRange.count)
            }
            // 0: the far end's window is full; its adjustment arrives as input on the bastion socket.
            if written == Int(LIBSSH2_ERROR_EAGAIN) || written == 0 { break }
            guard written > 0 else {
                // A transport failure breaks the whole bastion session; a channel failure ends this tunnel.
                _ = session.error(rc: Int32(written), operation: "tunnel to \(destination)", code: .channel)
                remoteClosed = true
                inboundRange = 0..<0
                return true
            }
            outboundRange = (outboundRange.lowerBound + written)..<outboundRange.upperBound
            moved = true
        }
        // Channel → local.
        if inboundRange.isEmpty && !remoteClosed {
            let count = inbound.withUnsafeMutableBytes { all in
                cssh2_channel_read(raw, all.baseAddress!.assumingMemoryBound(to: CChar.self), all.count)
            }
            if count > 0 {
                inboundRange = 0..<count
                moved = true
            } else if count == 0 && libssh2_channel_eof(raw) != 0 {
                remoteClosed = true
                moved = true
            } else if count < 0 && count != Int(LIBSSH2_ERROR_EAGAIN) {
                _ = session.error(rc: Int32(count), operation: "tunnel to \(destination)", code: .channel)
                remoteClosed = true
                moved = true
            }
        }
        while !inboundRange.isEmpty {
            let sent = inbound.withUnsafeBytes { all in
                send(
                    local, all.baseAddress!.advanced(by: inboundRange.lowerBound), inboundRange.count,
                    Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                inboundRange = (inboundRange.lowerBound + sent)..<inboundRange.upperBound
                moved = true
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                break
            } else {
                localClosed = true
                return true
            }
        }
        if remoteClosed && inboundRange.isEmpty {
            // The next session reads end-of-file, as from a TCP peer that hung up.
            shutdown(local, Int32(SHUT_WR))
        }
        return moved
    }

    /// What to poll the local end for.
    var localEvents: Int16 {
        guard !isDone else { return 0 }
        var events: Int16 = 0
        if outboundRange.isEmpty && !localClosed { events |= Int16(POLLIN) }
        if !inboundRange.isEmpty { events |= Int16(POLLOUT) }
        return events
    }

    /// Whether progress may wait on data from the bastion (channel data, window space, a close reply).
    var needsSessionInput: Bool { isDone || !outboundRange.isEmpty || (inboundRange.isEmpty && !remoteClosed) }

    /// The local end, for polling.
    var localDescriptor: Int32 { local }

    /// Closes and frees the channel without blocking; returns true once it is gone (call again otherwise).
    func release() -> Bool {
        if freed { return true }
        if session.broken != nil {
            freed = true
            return true
        }
        let rc = libssh2_channel_free(raw)
        if rc == LIBSSH2_ERROR_EAGAIN { return false }
        freed = true
        return true
    }
}

@available(*, unavailable)
extension LibSSH2Tunnel: Sendable {}
