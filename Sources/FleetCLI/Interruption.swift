import FleetCore
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM during a long-running command: the first signal prints `notice` and calls the
/// command's `onFirst` (cancel its work, or let it finish and undo), so the command ends cleanly and exits
/// ``exitCode`` (or 0, for `fleet status --watch`, whose normal end this is); a second one calls `onSecond`
/// (restore the terminal) and exits at once with 128 + its number.
///
/// Built on ``InterruptSignal`` (one delivery path for every fleet command); installed once per command run.
///
/// ```swift
/// let interruption = Interruption.install(notice: "fleet: interrupted; …\n") { work.cancel() }
/// …
/// if let code = interruption.exitCode { throw ExitCode(code) }
/// ```
final class Interruption: Sendable {
    private let received = Mutex<Int32?>(nil)

    private init() {}

    /// Installs the handler for the rest of the command.
    ///
    /// - Parameters:
    ///   - notice: printed on standard error at the first signal; nil prints nothing.
    ///   - onFirst: runs at the first signal, after the notice.
    ///   - onSecond: runs at the second signal, just before the process exits.
    static func install(
        notice: String?, onFirst: @escaping @Sendable () -> Void, onSecond: @escaping @Sendable () -> Void = {}
    ) -> Interruption {
        let interruption = Interruption()
        InterruptSignal.install { number in
            let first = interruption.received.withLock { seen in
                defer { seen = seen ?? number }
                return seen == nil
            }
            guard first else {
                onSecond()
                _exit(128 + number)
            }
            if let notice { Terminal.err(notice) }
            onFirst()
        }
        return interruption
    }

    /// The first signal's number, or nil when none arrived.
    var signal: Int32? { received.withLock { $0 } }

    /// Whether a signal arrived.
    var happened: Bool { signal != nil }

    /// 128 + the first signal's number (130 for Ctrl-C), or nil when none arrived.
    var exitCode: Int32? { signal.map { 128 + $0 } }
}
