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
/// At most `maxChannels` tunnels are open at once, plus at most `maxLongLivedChannels` long-lived ones
/// (``TunnelRequest/longLived``, see ``BastionPool``); further requests wait in order. A connection
/// that has had no tunnel for `idleLinger` says goodbye and leaves the pool, so one `fleet` run
/// reuses it from host to host. If the bastion cannot be reached, authenticated or trusted, every
/// waiting request fails with that error, and the next request starts a fresh connection.
///
/// The thread touches libssh2 only while holding ``libssh2Access``. When the process exits (with this
/// connection's thread still lingering), ``closeForExit(within:)`` says goodbye to the bastion and then
/// takes that lock for good, so no libssh2 call races OpenSSL's own exit-time cleanup.
final class BastionConnection: Sendable {
    /// The hops up to and including this bastion.
    let chain: [SSHTarget]
    /// The bastion as messages name it: `user@host:port`.
    let name: String
    private let maxChannels: Int
    private let maxLongLivedChannels: Int
    private let idleLinger: Duration
    /// Requests not yet seen by the thread.
    private let incoming = Mutex<[TunnelRequest]>([])
    /// Written to wake the thread's `poll` when a request arrives.
    private let wakeReader: Int32
    private let wakeWriter: Int32
    /// Held around every libssh2 call the thread makes; taken for good at process exit.
    private let libssh2Access = NSLock()
    /// Set at process exit: the thread says goodbye to the bastion and stops.
    private let exitRequested = Mutex(false)
    /// Signalled when the thread is done with libssh2 (session freed, or never made).
    private let finished = DispatchSemaphore(value: 0)

    init(chain: [SSHTarget], maxChannels: Int, maxLongLivedChannels: Int, idleLinger: Duration, pool: BastionPool) {
        self.chain = chain
        let bastion = chain[chain.count - 1]
        self.name = "\(bastion.user)@\(bastion.host)" + (bastion.port == 22 ? "" : ":\(bastion.port)")
        self.maxChannels = max(1, maxChannels)
        self.maxLongLivedChannels = max(1, maxLongLivedChannels)
        self.idleLinger = idleLinger
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeReader = fds[0]
        wakeWriter = fds[1]
        self.pool = pool
    }

    private let pool: BastionPool

    /// Starts the thread that connects and serves tunnels.
    func start() {
        let thread = Thread { [self] in self.run(pool: pool) }
        thread.name = "fleet-bastion \(chain[chain.count - 1].host)"
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

    /// Makes the thread say goodbye and stop, waits for it at most `limit`, then keeps it away from
    /// libssh2 for the rest of the process. Called by the pool at process exit.
    func closeForExit(within limit: Duration) {
        exitRequested.withLock { $0 = true }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
        let (seconds, attoseconds) = limit.components
        _ = finished.wait(
            timeout: .now() + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)))
        libssh2Access.lock()  // Never unlocked: the process is exiting.
    }

    private var isExitRequested: Bool { exitRequested.withLock { $0 } }

    private func run(pool: BastionPool) {
        defer {
            pool.threadEnded(self)
            finished.signal()
        }
        var session: LibSSH2Session?
        do {
            session = try connect()
        } catch {
            pool.forget(self)
            failAll(error, queued: [])
            return
        }
        if let session { serve(session, pool: pool) }
        // The session is freed (its last reference dropped) under the lock, like every libssh2 call.
        libssh2Access.lock()
        session = nil
        libssh2Access.unlock()
    }

    /// Connects to the bastion the way `SSHConnection` connects to a host, retrying banner failures.
    private func connect() throws(SSHError) -> LibSSH2Session {
        var target = chain[chain.count - 1]
        target.route = chain.count > 1 ? .jump(Array(chain.dropLast())) : .direct
        var attempt = 0
        while true {
            do throws(SSHError) {
                libssh2Access.lock()
                defer { libssh2Access.unlock() }
                guard !isExitRequested else {
                    throw SSHError(.cancelled, host: target.host, operation: "connect", message: "fleet is exiting")
                }
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

    /// The thread's state while it serves tunnels.
    private struct Serving {
        var queue: [TunnelRequest] = []
        var opening: TunnelRequest?
        var tunnels: [LibSSH2Tunnel] = []
        var closing: [LibSSH2Tunnel] = []
        /// The tunnels (open or closing) that carry long-lived sessions.
        var longLived: Set<ObjectIdentifier> = []
        var idleSince: ContinuousClock.Instant? = .now
    }

    /// What the thread does after one round of work.
    private enum Next {
        case again
        case wait
        case stop
    }

    private func serve(_ session: LibSSH2Session, pool: BastionPool) {
        var state = Serving()
        while true {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeReader, &buffer, buffer.count) > 0 {}
            libssh2Access.lock()
            let next = round(session, &state, pool: pool)
            libssh2Access.unlock()
            switch next {
            case .again: continue
            case .stop: return
            case .wait: wait(session, tunnels: state.tunnels, busy: state.opening != nil || !state.closing.isEmpty)
            }
        }
    }

    /// One round of work on the session: take requests, open a channel, pump, release, notice failure or idleness.
    private func round(_ session: LibSSH2Session, _ state: inout Serving, pool: BastionPool) -> Next {
        if isExitRequested {
            pool.forget(self)
            session.disconnect(OperationDeadline(after: .milliseconds(500)))
            let error = SSHError(.cancelled, host: name, operation: "tunnel", message: "fleet is exiting")
            failAll(error, queued: state.queue + (state.opening.map { [$0] } ?? []))
            return .stop
        }
        state.queue += takeIncoming()
        state.queue.removeAll { $0.isAbandoned }
        var moved = false

        if state.opening == nil, let head = state.queue.first,
            Self.mayOpen(
                longLived: head.longLived, open: state.tunnels.count + state.closing.count,
                longLivedOpen: state.longLived.count, maxChannels: maxChannels,
                maxLongLivedChannels: maxLongLivedChannels)
        {
            let next = state.queue.removeFirst()
            if next.startOpening() { state.opening = next }
            moved = true
        }
        if let request = state.opening {
            do throws(SSHError) {
                if let tunnel = try LibSSH2Tunnel.open(session: session, host: request.host, port: request.port) {
                    state.opening = nil
                    moved = true
                    let peer = tunnel.takePeer()
                    if let peer, request.fulfill(peer) {
                        state.tunnels.append(tunnel)
                        if request.longLived { state.longLived.insert(ObjectIdentifier(tunnel)) }
                    } else {
                        // The host gave up while the bastion was connecting: close both ends.
                        if let peer { close(peer) }
                        state.closing.append(tunnel)
                    }
                }
            } catch {
                state.opening = nil
                moved = true
                request.fail(error)
            }
        }
        for tunnel in state.tunnels where tunnel.pump() { moved = true }
        state.closing += state.tunnels.filter(\.isDone)
        state.tunnels.removeAll(where: \.isDone)
        state.closing.removeAll { tunnel in
            let gone = tunnel.release()
            if gone {
                moved = true
                state.longLived.remove(ObjectIdentifier(tunnel))
            }
            return gone
        }

        if let broken = session.broken {
            pool.forget(self)
            let error = SSHError(
                broken.code, host: broken.host, operation: broken.operation,
                message: "the connection to bastion \(name) broke: \(broken.message)", hint: broken.hint)
            failAll(error, queued: state.queue + (state.opening.map { [$0] } ?? []))
            return .stop  // The tunnels' sockets close with them, so the hosts behind see the connection end.
        }

        if state.tunnels.isEmpty && state.closing.isEmpty && state.opening == nil && state.queue.isEmpty {
            let since = state.idleSince ?? .now
            state.idleSince = since
            if since.duration(to: .now) >= idleLinger && pool.retire(self) {
                // Out of the pool with nothing queued (checked under the pool's lock): nobody can reach us.
                session.disconnect(OperationDeadline(after: .seconds(2)))
                return .stop
            }
        } else {
            state.idleSince = nil
        }
        return moved ? .again : .wait
    }

    /// Whether the next queued request may open its channel now: a long-lived one while fewer than
    /// `maxLongLivedChannels` long-lived tunnels are open, any other while fewer than `maxChannels` others are.
    static func mayOpen(
        longLived: Bool, open: Int, longLivedOpen: Int, maxChannels: Int, maxLongLivedChannels: Int
    ) -> Bool {
        longLived ? longLivedOpen < maxLongLivedChannels : open - longLivedOpen < maxChannels
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
