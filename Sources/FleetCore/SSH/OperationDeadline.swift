/// When an operation must be over, and whether its task was cancelled; checked by every socket wait.
struct OperationDeadline: Sendable {
    /// The instant the operation times out.
    let instant: ContinuousClock.Instant
    /// The cancellation flag of the calling task.
    let cancel: CancelFlag?
    /// The timeout as given, for messages.
    let timeout: Duration

    /// A deadline `timeout` from now.
    init(after timeout: Duration, cancel: CancelFlag? = nil) {
        self.instant = ContinuousClock.now.advanced(by: timeout)
        self.cancel = cancel
        self.timeout = timeout
    }

    /// Whether the deadline has passed.
    var hasExpired: Bool { ContinuousClock.now >= instant }

    /// Milliseconds left (at least 0), capped at `cap` so cancellation is noticed promptly.
    func remainingMilliseconds(cap: Int32 = 100) -> Int32 {
        let left = ContinuousClock.now.duration(to: instant)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(Int64(cap), milliseconds))
    }

    /// The same deadline renewed from now (used after progress in long transfers).
    func renewed() -> OperationDeadline { OperationDeadline(after: timeout, cancel: cancel) }

    /// The timeout in seconds, for messages.
    var timeoutDescription: String {
        let (seconds, attoseconds) = timeout.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
