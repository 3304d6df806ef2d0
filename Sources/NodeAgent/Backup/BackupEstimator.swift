import FleetCore
import Foundation

/// `backups --estimate`: the space the next upgrade's backup would take, from the same walk and
/// ``BackupPlan`` as ``DataBackup``, without writing anything.
///
/// The backup directory and `UNSAFE_SKIP_BACKUP` are those of the running agent (its state file's
/// settings), since a command run over SSH does not carry the agent's environment; without a live agent,
/// the configuration's. Where the backup would be cloned the estimate assumes hard links (an upper bound).
struct BackupEstimator {
    /// The configuration of this command.
    var configuration: AgentConfiguration

    /// Walks `data/` and prices the backup.
    ///
    /// - Throws: ``AgentError`` when `data/` cannot be walked.
    func estimate() async throws(AgentError) -> BackupEstimate {
        let (backupDir, skip) = effectiveSettings()
        let data = configuration.layout.dataDirectory
        let result: Result<BackupEstimate, AgentError> = await BlockingWork.run {
            do throws(AgentError) {
                let found = try BackupWalker.walk(data)
                var from = stat()
                var into = stat()
                let sameDevice = stat(data, &from) == 0 && stat(backupDir, &into) == 0 && from.st_dev == into.st_dev
                let plan = BackupPlan(found.map(\.entry), method: sameDevice ? .hardLink : .copy)
                return .success(
                    BackupEstimate(
                        backupDir: backupDir, skipBackup: skip, method: plan.method.rawValue,
                        bytesNeeded: plan.bytesNeeded, copiedBytes: plan.copiedBytes, sharedBytes: plan.sharedBytes,
                        files: plan.fileCount, freeBytes: BackupTreeWriter.freeBytes(at: backupDir)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The backup directory and skip setting of the running agent, else of this configuration.
    func effectiveSettings() -> (backupDir: String, skip: Bool) {
        if let state = try? AgentRuntimeState.read(from: configuration.effectiveStateFile),
            ProcessIdentity.isRunningAgent(state, layout: configuration.layout),
            let directory = state.settings["daemon_data_backup_dir"], !directory.isEmpty
        {
            return (directory, state.settings["unsafe_skip_backup"] == "true")
        }
        return (configuration.backupDir, configuration.skipBackup)
    }

    /// The estimate in a sentence or two.
    static func summary(_ estimate: BackupEstimate) -> String {
        let free = estimate.freeBytes.map { BackupCatalog.human($0) } ?? "unknown"
        let skip = estimate.skipBackup ? " (UNSAFE_SKIP_BACKUP is on: no backup will be taken)" : ""
        return
            "backup in \(TerminalText.escaped(estimate.backupDir)) needs \(BackupCatalog.human(estimate.bytesNeeded)) "
            + "(\(BackupCatalog.human(estimate.copiedBytes)) copied, \(BackupCatalog.human(estimate.sharedBytes)) "
            + "shared, \(estimate.files) files, \(estimate.method)); \(free) free\(skip)\n"
    }
}
