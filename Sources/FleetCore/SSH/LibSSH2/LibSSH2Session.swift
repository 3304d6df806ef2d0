import CSSH2
import Foundation

/// Owns one `LIBSSH2_SESSION` and its socket; used only on its connection's thread.
///
/// The session is always non-blocking: every call that returns `LIBSSH2_ERROR_EAGAIN` is repeated,
/// with the same arguments, after `waitSocket` polls for the directions libssh2 asks for, until the
/// operation's deadline. A timeout, a cancellation or a transport error marks the session broken,
/// and every later call fails at once with `.connectionLost`.
final class LibSSH2Session {
    /// The session handle.
    let raw: OpaquePointer
    /// The connected socket; closed after the session is freed.
    let socket: Int32
    /// The host name, for errors.
    let host: String
    /// Set once the transport is unusable.
    private(set) var broken: SSHError?

    /// Creates a non-blocking session over an already connected socket, taking ownership of the socket.
    init(socket: Int32, host: String) throws(SSHError) {
        guard LibSSH2.initialized, let raw = cssh2_session_init() else {
            close(socket)
            throw SSHError(
                .handshake, host: host, operation: "session init", message: "libssh2 could not allocate a session")
        }
        self.raw = raw
        self.socket = socket
        self.host = host
        libssh2_session_set_blocking(raw, 0)
    }

    deinit {
        libssh2_session_free(raw)
        close(socket)
    }

    // MARK: - Waiting

    /// Throws `.cancelled` once the calling task is cancelled, marking the session broken as a cancelled
    /// wait does; for loops that keep making progress without waiting (a fast upload).
    func throwIfCancelled(_ deadline: OperationDeadline, operation: String) throws(SSHError) {
        if deadline.cancel?.isCancelled == true {
            throw markBroken(SSHError(.cancelled, host: host, operation: operation, message: "the task was cancelled"))
        }
    }

    /// Polls the socket for what libssh2 is blocked on, setting `TCP_QUICKACK` first.
    ///
    /// Waits in slices of at most 100 ms so a cancelled task is noticed promptly.
    /// - Throws: `.timedOut` or `.cancelled` (and marks the session broken).
    func waitSocket(_ deadline: OperationDeadline, operation: String) throws(SSHError) {
        let directions = libssh2_session_block_directions(raw)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        while true {
            try throwIfCancelled(deadline, operation: operation)
            if deadline.hasExpired {
                throw markBroken(
                    SSHError(
                        .timedOut, host: host, operation: operation,
                        message: "no progress within \(deadline.timeoutDescription)",
                        hint: "The host or network is too slow or stuck; raise the timeout or check the host"))
            }
            var one: Int32 = 1
            setsockopt(socket, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
            var pfd = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&pfd, 1, deadline.remainingMilliseconds())
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                let reason = GoText.errno(errno, capitalized: true)
                throw markBroken(SSHError(.connectionLost, host: host, operation: operation, message: reason))
            }
        }
    }

    /// The `poll` entry for the socket in an event loop that drives many channels: readable when
    /// `wantInput`, writable when libssh2 last blocked on sending. Sets `TCP_QUICKACK` first.
    func pollEntry(wantInput: Bool) -> pollfd {
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
        var events: Int16 = wantInput ? Int16(POLLIN) : 0
        let directions = libssh2_session_block_directions(raw)
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        return pollfd(fd: socket, events: events, revents: 0)
    }

    /// Repeats `call` while it returns `EAGAIN`, waiting on the socket in between; returns the final code.
    func retrying(_ deadline: OperationDeadline, operation: String, _ call: () -> Int32) throws(SSHError) -> Int32 {
        try ensureUsable(operation)
        while true {
            let rc = call()
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try waitSocket(deadline, operation: operation)
        }
    }

    /// Repeats a pointer-returning `call` while it fails with `EAGAIN`; nil means a real failure.
    func retryingPointer(
        _ deadline: OperationDeadline,
        operation: String,
        _ call: () -> OpaquePointer?
    ) throws(SSHError) -> OpaquePointer? {
        try ensureUsable(operation)
        while true {
            if let pointer = call() { return pointer }
            guard libssh2_session_last_errno(raw) == LIBSSH2_ERROR_EAGAIN else { return nil }
            try waitSocket(deadline, operation: operation)
        }
    }

    // MARK: - Errors

    /// Throws the reason the session broke, if it did.
    func ensureUsable(_ operation: String) throws(SSHError) {
        if let broken {
            throw SSHError(
                .connectionLost, host: host, operation: operation,
                message: "the connection is unusable since an earlier failure (\(broken.message))",
                hint: "Open a new connection")
        }
    }

    /// Remembers `error` as the reason the session is unusable and returns it.
    func markBroken(_ error: SSHError) -> SSHError {
        if broken == nil { broken = error }
        return error
    }

    /// libssh2's last error code and message for this session.
    func lastError() -> (code: Int32, message: String) {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(raw, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? ""
        return (code, text)
    }

    /// An error for a failed call: timeouts and transport failures become `.timedOut`/`.connectionLost`
    /// and break the session; anything else gets `code`.
    func error(rc: Int32, operation: String, code: SSHError.Code, hint: String = "") -> SSHError {
        let last = lastError()
        let message = last.message.isEmpty ? "libssh2 error \(rc)" : last.message
        if rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT {
            return markBroken(SSHError(.timedOut, host: host, operation: operation, message: message, libssh2Code: rc))
        }
        if LibSSH2.isFatal(rc) {
            return markBroken(
                SSHError(
                    .connectionLost, host: host, operation: operation, message: message,
                    hint: "The connection dropped (sshd restarted, network cut, or the session was killed); "
                        + "open a new connection", libssh2Code: rc))
        }
        return SSHError(code, host: host, operation: operation, message: message, hint: hint, libssh2Code: rc)
    }

    // MARK: - Handshake

    /// Sets the host-key algorithm preference (must run before `handshake`).
    func preferHostKeyAlgorithms(_ algorithms: [String]) throws(SSHError) {
        let rc = cssh2_hostkey_method_pref(raw, algorithms.joined(separator: ","))
        try LibSSH2.check(rc, session: self, operation: "host key preference", code: .handshake)
    }

    /// The ciphers offered, best first: CTR modes only (never CBC, arcfour or none), each one OpenSSH's
    /// defaults accept. aes128-ctr leads because libssh2 1.10 encrypts one 16-byte block per OpenSSL call,
    /// where aes128's 10 rounds run about 1.5× faster than aes256's 14 (`openssl speed -bytes 16`).
    static let cipherPreference = ["aes128-ctr", "aes192-ctr", "aes256-ctr"]

    /// The MACs offered, best first: SHA-2 (hmac-sha2-256 runs on the CPU's SHA extensions, about twice
    /// hmac-sha2-512's speed), hmac-sha1 last only for servers without SHA-2, as OpenSSH's defaults allow.
    static let macPreference = ["hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"]

    /// Offers ``cipherPreference`` and ``macPreference`` in both directions (must run before `handshake`).
    private func preferTransportAlgorithms() throws(SSHError) {
        let ciphers = Self.cipherPreference.joined(separator: ",")
        let macs = Self.macPreference.joined(separator: ",")
        for (method, list) in [
            (LIBSSH2_METHOD_CRYPT_CS, ciphers), (LIBSSH2_METHOD_CRYPT_SC, ciphers),
            (LIBSSH2_METHOD_MAC_CS, macs), (LIBSSH2_METHOD_MAC_SC, macs),
        ] {
            try LibSSH2.check(
                libssh2_session_method_pref(raw, method, list), session: self, operation: "algorithm preference",
                code: .handshake)
        }
    }

    /// The cipher and MAC the handshake agreed on for data we send (`aes128-ctr hmac-sha2-256`), nil before it.
    var negotiatedTransport: String? {
        guard let cipher = libssh2_session_methods(raw, LIBSSH2_METHOD_CRYPT_CS),
            let mac = libssh2_session_methods(raw, LIBSSH2_METHOD_MAC_CS)
        else { return nil }
        return String(cString: cipher) + " " + String(cString: mac)
    }

    /// Runs the SSH handshake; banner failures get `.banner` so callers can retry them.
    func handshake(_ deadline: OperationDeadline) throws(SSHError) {
        try preferTransportAlgorithms()
        let rc = try retrying(deadline, operation: "handshake") { libssh2_session_handshake(raw, socket) }
        guard rc < 0 else { return }
        if LibSSH2.isBannerFailure(rc) {
            let message = lastError().message
            throw markBroken(
                SSHError(
                    .banner, host: host, operation: "handshake",
                    message: message.isEmpty ? "the server closed the connection before the SSH banner" : message,
                    hint: "sshd may be refusing connections past MaxStartups, or the port is not an SSH server",
                    libssh2Code: rc))
        }
        throw markBroken(
            error(
                rc: rc, operation: "handshake", code: .handshake,
                hint: "The server offers no algorithm libssh2 1.10 supports (an RSA-only host key fails this way; "
                    + "fleet offers only the ciphers \(Self.cipherPreference.joined(separator: ", ")) and the MACs "
                    + "\(Self.macPreference.joined(separator: ", ")))"))
    }

    /// The key the server presented during the handshake.
    func hostKey() throws(SSHError) -> SSHHostKey {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(raw, &length, &type), length > 0 else {
            throw SSHError(.handshake, host: host, operation: "host key", message: "the server presented no host key")
        }
        let blob = Data(bytes: pointer, count: length)
        guard let key = SSHHostKey(blob: blob) else {
            throw SSHError(.handshake, host: host, operation: "host key", message: "the server's host key is malformed")
        }
        return key
    }

    /// Says goodbye to the server; errors are ignored because the session is going away anyway.
    func disconnect(_ deadline: OperationDeadline) {
        guard broken == nil else { return }
        _ = try? retrying(deadline, operation: "disconnect") { cssh2_session_disconnect(raw, "bye") }
    }
}

@available(*, unavailable)
extension LibSSH2Session: Sendable {}
