import Foundation
import Synchronization

/// One SSH connection to a bastion (the last hop of `chain`), shared by every host behind it.
///
/// A dedicated thread owns the bastion's libssh2 session and everything derived from it, as every
/// session in fleet is owned (libssh2 sessions stay on one thread). It connects (over TCP for the
/// first hop, else over a tunnel of the previous hop's connection), checks the bastion's host key
/// as strictly as any host's, authenticates, then serves ``TunnelRequest``s: each becomes a
/// `direct-tcpip` channel joined to a `socketpair`, whose other end the requesting host's session
/// runs over. One non-blocking `poll` loop moves the bytes of every tunnel, so the thread never
/// blocks on one host.
///
/// At most `maxChannels` tunnels are open at once; further requests wait in order. A connection
/// that has had no tunnel for `idleLinger` says goodbye and leaves the pool, so one `fleet` run
/// reuses it from host to host. If the bastion cannot be reached, authenticated or trusted, every
/// waiting request fails with that error, and the next request starts a fresh connection.
final class BastionConnection: Sendable {
    /// The hops up to and including this bastion.
    let chain: [SSHTarget]
    /// The bastion as messages name it: `user@host:port`.
    let name: String
    private let maxChannels: Int
    private let idleLinger: Duration
    /// Requests not yet seen by the thread.
    private let incoming = Mutex<[TunnelRequest]>([])
    /// Written to wake the thread's `poll` when a request arrives.
    private let wakeReader: Int32
    private let wakeWriter: Int32

    init(chain: [SSHTarget], maxChannels: Int, idleLinger: Duration, pool: BastionPool) {
        self.chain = chain
        let bastion = chain[chain.count - 1]
        self.name = "\(bastion.user)@\(bastion.host)" + (bastion.port == 22 ? "" : ":\(bastion.port)")
        self.maxChannels = max(1, maxChannels)
        self.idleLinger = idleLinger
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeReader = fds[0]
        wakeWriter = fds[1]
        let thread = Thread { [self] in self.run(pool: pool) }
        thread.name = "fleet-bastion \(bastion.host)"
        thread.start()
    }

    deinit {
        close(wakeReader)
        close(wakeWriter)
    }

    /// Queues `request` and wakes the thread. Called by the pool under its lock.
    func enqueue(_ request: TunnelRequest) {
        incoming.withLock { $0.append(request) }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    /// Whether requests arrived that the thread has not taken yet. Called by the pool under its lock.
    var hasIncoming: Bool { incoming.withLock { !$0.isEmpty } }

    // MARK: - The thread

    private func run(pool: BastionPool) {
        let session: LibSSH2Session
        do {
            session = try connect()
        } catch {
            pool.forget(self)
            failAll(error, queued: [])
            return
        }
        serve(session, pool: pool)
    }

    /// Connects to the bastion the way `SSHConnection` connects to a host, retrying banner failures.
    private func connect() throws(SSHError) -> LibSSH2Session {
        var target = chain[chain.count - 1]
        target.route = chain.count > 1 ? .jump(Array(chain.dropLast())) : .direct
        var attempt = 0
        while true {
            do throws(SSHError) {
                return try SessionContext.openSession(target, cancel: nil, logger: nil)
            } catch  where error.isTransientConnectFailure && attempt < target.bannerRetries {
                attempt += 1
                Thread.sleep(
                    forTimeInterval: Backoff.delay(attempt: attempt, jitter: Double.random(in: 0...1)).timeInterval)
            }
        }
    }

    private func failAll(_ error: SSHError, queued: [TunnelRequest]) {
        for request in queued + takeIncoming() { request.fail(error) }
    }

    /// The requests queued since the last call.
    private func takeIncoming() -> [TunnelRequest] {
        incoming.withLock { requests in
            let taken = requests
            requests = []
            return taken
        }
    }

    private func serve(_ session: LibSSH2Session, pool: BastionPool) {
        var queue: [TunnelRequest] = []
        var opening: TunnelRequest?
        var tunnels: [LibSSH2Tunnel] = []
        var closing: [LibSSH2Tunnel] = []
        var idleSince: ContinuousClock.Instant? = .now
        while true {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeReader, &buffer, buffer.count) > 0 {}
            queue += takeIncoming()
            queue.removeAll { $0.isAbandoned }
            var moved = false

            if opening == nil, tunnels.count + closing.count < maxChannels, !queue.isEmpty {
                let next = queue.removeFirst()
                if next.startOpening() { opening = next }
                moved = true
            }
            if let request = opening {
                do throws(SSHError) {
                    if let tunnel = try LibSSH2Tunnel.open(session: session, host: request.host, port: request.port) {
                        opening = nil
                        moved = true
                        let peer = tunnel.takePeer()
                        if let peer, request.fulfill(peer) {
                            tunnels.append(tunnel)
                        } else {
                            // The host gave up while the bastion was connecting: close both ends.
                            if let peer { close(peer) }
                            closing.append(tunnel)
                        }
                    }
                } catch {
                    opening = nil
                    moved = true
                    request.fail(error)
                }
            }
            for tunnel in tunnels where tunnel.pump() { moved = true }
            closing += tunnels.filter(\.isDone)
            tunnels.removeAll(where: \.isDone)
            closing.removeAll { tunnel in
                let gone = tunnel.release()
                if gone { moved = true }
                return gone
            }

            if let broken = session.broken {
                pool.forget(self)
                let error = SSHError(
                    broken.code, host: broken.host, operation: broken.operation,
                    message: "the connection to bastion \(name) broke: \(broken.message)", hint: broken.hint)
                failAll(error, queued: queue + (opening.map { [$0] } ?? []))
                return  // The tunnels' sockets close with them, so the hosts behind see the connection end.
            }

            if tunnels.isEmpty && closing.isEmpty && opening == nil && queue.isEmpty {
                let since = idleSince ?? .now
                idleSince = since
                if since.duration(to: .now) >= idleLinger && pool.retire(self) {
                    // Out of the pool with nothing queued (checked under the pool's lock): nobody can reach us.
                    session.disconnect(OperationDeadline(after: .seconds(2)))
                    return
                }
            } else {
                idleSince = nil
            }
            if moved { continue }
            wait(session, tunnels: tunnels, busy: opening != nil || !closing.isEmpty)
        }
    }

    /// Sleeps until the bastion socket, a tunnel's local end or the wake pipe is ready, 100 ms at most.
    private func wait(_ session: LibSSH2Session, tunnels: [LibSSH2Tunnel], busy: Bool) {
        var fds = [pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0)]
        fds.append(session.pollEntry(wantInput: busy || tunnels.contains(where: \.needsSessionInput)))
        for tunnel in tunnels {
            let events = tunnel.localEvents
            if events != 0 { fds.append(pollfd(fd: tunnel.localDescriptor, events: events, revents: 0)) }
        }
        _ = poll(&fds, nfds_t(fds.count), 100)
    }
}

extension Duration {
    /// The duration in seconds, for `Thread.sleep`.
    fileprivate var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
