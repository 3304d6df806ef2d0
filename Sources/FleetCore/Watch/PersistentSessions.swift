public import Logging
import Synchronization

/// One SSH session per host, opened once and reused for every command, reopened with backoff when it drops.
///
/// For commands that talk to the same hosts again and again (`fleet status --watch`): a command costs one
/// exec round trip on an open session instead of a TCP connect, a handshake and an authentication. Each
/// session is an ``SSHConnection``, so it lives on its own worker thread like every libssh2 session in
/// fleet, and calls from several tasks are queued on it.
///
/// A host without a session never holds up the caller: ``exec(_:_:timeout:)`` fails at once with
/// ``Unavailable`` (the last failure, and when the next attempt is), while a background task per host
/// reconnects on the ``ReconnectSchedule`` (``Backoff`` delays). A session that breaks during an exec
/// (the host closed it, a reset, a timeout) is dropped and reconnected the same way.
///
/// ```swift
/// let sessions = PersistentSessions(targets: ["sentry-1": target1, "sentry-2": target2])
/// await sessions.open(maxConcurrent: 32)
/// let result = try await sessions.exec("sentry-1", "uptime", timeout: .seconds(5))
/// await sessions.close()
/// ```
public final class PersistentSessions: Sendable {
    /// A host that has no open session right now.
    public struct Unavailable: Error, Sendable, Equatable, CustomStringConvertible {
        /// The key the host was registered under.
        public var host: String
        /// Why the last connect failed or the session dropped; nil while the first connect runs.
        public var reason: String?
        /// Failed attempts since the last open session.
        public var failures: Int
        /// How long until the next connect starts; nil when one is under way.
        public var retryIn: Duration?

        public var description: String {
            let retry =
                retryIn.map { "reconnecting in \(GoDuration.format(.milliseconds(Int64($0 / .milliseconds(1)))))" }
                ?? "reconnecting"
            return
                "\(reason ?? "\(host): connecting") (\(retry), \(failures) failed attempt\(failures == 1 ? "" : "s"))"
        }
    }

    /// What the pool knows about one host, for status lines and tests.
    public struct Health: Sendable, Equatable {
        /// Whether a session is open.
        public var open: Bool
        /// Sessions opened so far (1 when the first one never dropped).
        public var sessionsOpened: Int
        /// The reconnect schedule.
        public var schedule: ReconnectSchedule
    }

    private struct State: Sendable {
        var schedule: ReconnectSchedule
        var connection: SSHConnection?
        var reconnecting: Task<Void, Never>?
        var sessionsOpened = 0
        var closed = false
    }

    private final class Slot: Sendable {
        let key: String
        let target: SSHTarget
        let logger: Logger
        let state: Mutex<State>

        init(key: String, target: SSHTarget, logger: Logger) {
            self.key = key
            self.target = target
            self.logger = logger
            state = Mutex(State(schedule: ReconnectSchedule(now: .now)))
        }
    }

    private let slots: [String: Slot]
    private let order: [String]
    private let jitter: @Sendable () -> Double

    /// Creates the pool; nothing connects until ``open(maxConcurrent:)`` or the first ``exec(_:_:timeout:)``.
    ///
    /// - Parameters:
    ///   - targets: the hosts by key (inventory name), in the order ``open(maxConcurrent:)`` connects them.
    ///   - logger: receives each host's SSH steps at debug level, with `fleet.node` set to its key.
    ///   - jitter: a number in 0…1 per backoff delay; random by default.
    public init(
        targets: [(key: String, target: SSHTarget)],
        logger: Logger = SSHConnection.silentLogger,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        var slots: [String: Slot] = [:]
        var order: [String] = []
        for (key, target) in targets where slots[key] == nil {
            var hostLogger = logger
            hostLogger[metadataKey: "fleet.node"] = "\(key)"
            var persistent = target
            persistent.persistent = true
            slots[key] = Slot(key: key, target: persistent, logger: hostLogger)
            order.append(key)
        }
        self.slots = slots
        self.order = order
        self.jitter = jitter
    }

    /// Connects every host, at most `maxConcurrent` at once, and returns when each has connected or failed
    /// once (within its target's `connectTimeout`); the failed ones keep reconnecting in the background.
    public func open(maxConcurrent: Int) async {
        _ = await forEachHost(order.compactMap { slots[$0] }, maxConcurrent: maxConcurrent) { slot in
            if await self.attempt(slot) == false { self.startReconnecting(slot) }
        }
    }

    /// Runs `command` on the open session of `host`.
    ///
    /// - Parameters:
    ///   - host: the key given at creation.
    ///   - command: a shell command line (build it with ``ShellQuote``).
    ///   - timeout: the deadline of the exec; when it passes the session is dropped and reopened.
    /// - Returns: the result (a non-zero exit is a result).
    /// - Throws: ``Unavailable`` at once when the host has no session; the `SSHError` of an exec that broke
    ///   the session (which is then reconnected in the background).
    public func exec(_ host: String, _ command: String, timeout: Duration) async throws -> ExecResult {
        try await withSession(host) { connection throws(SSHError) in
            try await connection.exec(command, timeout: timeout)
        }
    }

    /// `host` with its `~`/`$HOME` path variables resolved over its open session (the node's home is read
    /// once per session, see ``InventoryHost/resolvingNodePaths(over:)``); throws like ``exec(_:_:timeout:)``.
    public func resolvingNodePaths(of host: InventoryHost) async throws -> InventoryHost {
        guard host.needsNodeHome else { return host }
        return try await withSession(host.name) { connection throws(SSHError) in
            try await host.resolvingNodePaths(over: connection)
        }
    }

    /// Runs `body` on the open session of `host`; a failure other than a refused argument or a failed remote
    /// command drops the session, which is then reconnected in the background.
    private func withSession<T: Sendable>(
        _ host: String, _ body: (SSHConnection) async throws(SSHError) -> T
    ) async throws -> T {
        guard let slot = slots[host] else {
            throw Unavailable(host: host, reason: "\(host) is not in this session pool", failures: 0, retryIn: nil)
        }
        let now = ContinuousClock.now
        let (connection, unavailable) = slot.state.withLock { state -> (SSHConnection?, Unavailable?) in
            if let connection = state.connection { return (connection, nil) }
            let retry: Duration? =
                if case .wait(let delay) = state.schedule.decide(now: now), state.reconnecting != nil { delay } else {
                    nil
                }
            return (
                nil,
                Unavailable(
                    host: host,
                    reason: state.closed ? "\(host): the session pool is closed" : state.schedule.lastFailure,
                    failures: state.schedule.failures, retryIn: retry)
            )
        }
        guard let connection else {
            startReconnecting(slot)
            throw unavailable!
        }
        do throws(SSHError) {
            return try await body(connection)
        } catch  where error.code == .invalidArgument || error.code == .remoteCommand {
            throw error
        } catch {
            let dropped = slot.state.withLock { state -> Bool in
                guard state.connection === connection else { return false }
                state.connection = nil
                state.schedule.dropped(error.description, now: .now, jitter: jitter())
                return true
            }
            if dropped {
                slot.logger.debug("ssh session dropped", metadata: ["fleet.error": "\(error)"])
                Task { await connection.close() }
                startReconnecting(slot)
            }
            throw error
        }
    }

    /// The state of `host`'s session; nil for an unknown key.
    public func health(_ host: String) -> Health? {
        guard let slot = slots[host] else { return nil }
        return slot.state.withLock { state in
            Health(open: state.connection != nil, sessionsOpened: state.sessionsOpened, schedule: state.schedule)
        }
    }

    /// Stops every reconnect and closes every session (politely, each on its own thread); later calls to
    /// ``exec(_:_:timeout:)`` fail with ``Unavailable``.
    public func close() async {
        let held = order.compactMap { slots[$0] }.map { slot in
            slot.state.withLock { state -> (SSHConnection?, Task<Void, Never>?) in
                state.closed = true
                defer {
                    state.connection = nil
                    state.reconnecting = nil
                }
                return (state.connection, state.reconnecting)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (connection, reconnecting) in held {
                group.addTask {
                    reconnecting?.cancel()
                    await reconnecting?.value
                    await connection?.close()
                }
            }
        }
    }

    // MARK: - Connecting

    /// One connect; true when the session is open (and kept: a closed pool closes it again).
    private func attempt(_ slot: Slot) async -> Bool {
        do throws(SSHError) {
            let connection = try await SSHConnection.connect(slot.target, logger: slot.logger)
            let kept = slot.state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.connection = connection
                state.schedule.connected()
                state.sessionsOpened += 1
                return true
            }
            if !kept { await connection.close() }
            return kept
        } catch {
            let reason = String(describing: error)
            slot.state.withLock { $0.schedule.connectFailed(reason, now: .now, jitter: jitter()) }
            slot.logger.debug("ssh connect failed", metadata: ["fleet.error": "\(reason)"])
            return false
        }
    }

    /// Starts the host's reconnect task unless one runs, a session is open or the pool is closed.
    private func startReconnecting(_ slot: Slot) {
        slot.state.withLock { state in
            guard !state.closed, state.connection == nil, state.reconnecting == nil else { return }
            state.reconnecting = Task { await self.reconnect(slot) }
        }
    }

    /// Waits for each attempt the schedule allows and connects, until a session is open or the pool closes.
    private func reconnect(_ slot: Slot) async {
        defer { slot.state.withLock { $0.reconnecting = nil } }
        while !Task.isCancelled {
            let decision: ReconnectSchedule.Decision? = slot.state.withLock { state in
                state.closed ? nil : state.schedule.decide(now: .now)
            }
            switch decision {
            case nil, .use?: return
            case .wait(let delay)?:
                do { try await Task.sleep(for: delay) } catch { return }
            case .connect?:
                if await attempt(slot) { return }
            }
        }
    }
}
