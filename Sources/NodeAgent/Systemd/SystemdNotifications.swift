/// What the agent tells systemd (sd_notify(3)), decided from the supervisor's snapshot and a clock: pure,
/// so a table can drive it; ``SystemdNotifier`` sends the messages.
///
/// - `READY=1` once the first child is running (or when the agent finishes without ever starting one,
///   so a `Type=notify` service that exits 0 is not a protocol failure),
/// - `STATUS=` at every change of what ``SystemdStatusText`` shows,
/// - `EXTEND_TIMEOUT_USEC=` at the start of every upgrade step and again while it lasts, so a start or a
///   stop that waits for a long backup or pre-upgrade is not killed,
/// - `WATCHDOG=1` every half watchdog period, only from the loop's tick (a stuck loop stops pinging),
/// - `STOPPING=1` when the agent is done.
struct SystemdNotifications: Sendable {
    /// The periods that drive repeated messages.
    struct Timing: Sendable, Equatable {
        /// `WATCHDOG_USEC` meant for this process; `nil` = no watchdog.
        var watchdog: Duration?
        /// The `EXTEND_TIMEOUT_USEC` granted per message; sent again after a third of it.
        var timeoutExtension: Duration

        /// The extension for a loop that ticks every `pollInterval`: 4 ticks, at least 60 s.
        static func timeoutExtension(pollInterval: Duration) -> Duration {
            max(.seconds(60), pollInterval * 4)
        }
    }

    let timing: Timing
    private var ready = false
    private var stopping = false
    private var status: String?
    private var lastWatchdog: ContinuousClock.Instant
    /// When the last extension was sent; `nil` outside upgrade steps.
    private var lastExtension: ContinuousClock.Instant?

    /// Starts counting the watchdog period at `now`.
    init(timing: Timing, now: ContinuousClock.Instant) {
        self.timing = timing
        lastWatchdog = now
    }

    /// The message for a (possibly) new snapshot; `nil` when nothing changed.
    mutating func observe(_ snapshot: Supervisor.StateMachine.Snapshot, now: ContinuousClock.Instant) -> String? {
        var fields: [String] = []
        let finished = snapshot.phase == .finished
        if !ready, snapshot.phase == .running || finished {
            ready = true
            fields.append("READY=1")
        }
        if finished, !stopping {
            stopping = true
            fields.append("STOPPING=1")
        }
        let text = SystemdStatusText.describe(snapshot)
        if text != status {
            status = text
            fields.append("STATUS=" + text)
            if case .upgrading = snapshot.phase {
                lastExtension = now
                fields.append(extensionField)
            } else {
                lastExtension = nil
            }
        }
        return fields.isEmpty ? nil : fields.joined(separator: "\n")
    }

    /// The message for one tick of the agent's loop: the watchdog ping and the extension when due.
    mutating func tick(now: ContinuousClock.Instant) -> String? {
        var fields: [String] = []
        if let watchdog = timing.watchdog, now - lastWatchdog >= watchdog / 2 {
            lastWatchdog = now
            fields.append("WATCHDOG=1")
        }
        if let last = lastExtension, now - last >= timing.timeoutExtension / 3 {
            lastExtension = now
            fields.append(extensionField)
        }
        return fields.isEmpty ? nil : fields.joined(separator: "\n")
    }

    private var extensionField: String {
        "EXTEND_TIMEOUT_USEC=\(Self.microseconds(timing.timeoutExtension))"
    }

    /// Whole microseconds of `duration`.
    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
