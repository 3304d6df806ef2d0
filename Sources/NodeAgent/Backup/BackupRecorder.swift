import FleetCore
import Synchronization

/// The last backup the run loop's backup step finished, handed to the supervisor's state file
/// (``AgentRuntimeState/lastBackup``). The step runs in a child task, the supervisor reads in its loop:
/// the value sits behind a `Mutex`. At start the supervisor hands it the previous agent's record
/// (``carryOver(_:)``), so a restart does not forget the last backup until a new one replaces it.
final class BackupRecorder: Sendable {
    private let last = Mutex<AgentRuntimeState.LastBackup?>(nil)

    init() {}

    /// The last finished backup, if any.
    var lastBackup: AgentRuntimeState.LastBackup? { last.withLock { $0 } }

    /// Keeps `previous` (the last backup recorded by an earlier agent's state file) unless this agent
    /// has already recorded one of its own.
    func carryOver(_ previous: AgentRuntimeState.LastBackup) {
        last.withLock { $0 = $0 ?? previous }
    }

    /// Records a finished backup.
    func record(_ result: DataBackup.Result, upgrade: String) {
        let value = AgentRuntimeState.LastBackup(
            path: result.path, name: upgrade, seconds: result.seconds, bytesCopied: result.bytesCopied,
            bytesLinked: result.bytesShared, method: result.method.rawValue
        )
        last.withLock { $0 = value }
    }
}
