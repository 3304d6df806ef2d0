/// When a persistent session to one host should be (re)opened: the pure decision behind
/// ``PersistentSessions``' reconnects.
///
/// A session starts due at once. A failed connect, or an open session that drops, schedules the next
/// attempt after a ``Backoff`` delay that grows with consecutive failures (100 ms, 200 ms, … 2 s, with the
/// caller's jitter); a successful connect resets the count. The last failure is kept so a host that is
/// down can say why on every refresh while it waits.
///
/// | event | failures | next attempt |
/// |---|---|---|
/// | start | 0 | now |
/// | drop of an open session | 1 | now + `Backoff.delay(attempt: 1)` |
/// | connect failed (n-th in a row) | n | now + `Backoff.delay(attempt: n)` |
/// | connected | 0 | none while open |
public struct ReconnectSchedule: Sendable, Equatable {
    /// What the owner of the session should do now.
    public enum Decision: Sendable, Equatable {
        /// The session is open: use it.
        case use
        /// No session and the next attempt is due: connect now.
        case connect
        /// No session; the next attempt is due after this long.
        case wait(Duration)
    }

    /// Whether a session is open.
    public private(set) var isOpen = false
    /// Failed connects (or the drop) since the last successful connect.
    public private(set) var failures = 0
    /// Why the last connect failed or the session dropped; nil while open or before any failure.
    public private(set) var lastFailure: String?
    /// When the next connect may start; nil while open.
    public private(set) var nextAttempt: ContinuousClock.Instant?

    /// A schedule whose first connect is due at `now`.
    public init(now: ContinuousClock.Instant) {
        nextAttempt = now
    }

    /// What to do at `now`.
    public func decide(now: ContinuousClock.Instant) -> Decision {
        if isOpen { return .use }
        guard let nextAttempt, now < nextAttempt else { return .connect }
        return .wait(now.duration(to: nextAttempt))
    }

    /// A connect succeeded: the session is open and the failure count starts over.
    public mutating func connected() {
        isOpen = true
        failures = 0
        lastFailure = nil
        nextAttempt = nil
    }

    /// A connect failed at `now` for `reason`; the next one waits `Backoff.delay(attempt: failures)`.
    ///
    /// - Parameter jitter: a number in 0…1 (random in production, fixed in tests).
    public mutating func connectFailed(_ reason: String, now: ContinuousClock.Instant, jitter: Double) {
        isOpen = false
        failures += 1
        lastFailure = reason
        nextAttempt = now + Backoff.delay(attempt: failures, jitter: jitter)
    }

    /// The open session broke at `now` (the host closed it, a timeout, a reset): reconnect after the
    /// first backoff step, so a host that drops every connection is not hammered.
    public mutating func dropped(_ reason: String, now: ContinuousClock.Instant, jitter: Double) {
        isOpen = false
        failures = 1
        lastFailure = reason
        nextAttempt = now + Backoff.delay(attempt: 1, jitter: jitter)
    }
}
