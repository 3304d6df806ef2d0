import ArgumentParser
import FleetCore
import Foundation

/// `restore-backup NAME|PATH`: puts a data backup back as `data/` (``BackupRestore``); the node must be stopped.
struct RestoreBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-backup",
        abstract: "Put a data backup back as the node's data directory (the node must be stopped).",
        discussion: """
            NAME is a backup in DAEMON_DATA_BACKUP_DIR (see `backups`); a PATH (containing /) names any \
            backup directory. The restored tree is built beside data/, then data/ is renamed to \
            data.before-restore-<UTC time> and the restored tree to data/. Refused while an agent or the \
            node it started holds the agent lock.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The backup's name in DAEMON_DATA_BACKUP_DIR, or its path.")
    var backup: String

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration(validation: .minimal)
        let restore = BackupRestore(layout: configuration.layout, backupDirectory: configuration.backupDir)
        let result = try restore.restore(backup)
        var lines = ["restored \(TerminalText.escaped(result.backup)) as \(result.data) (\(result.method.rawValue))"]
        if let previous = result.previous { lines.append("the data from before the restore is in \(previous)") }
        if let kept = result.keptSigningState {
            lines.append(
                "kept the current priv_validator_state.json (height \(kept.current), the backup's is "
                    + "\(kept.backup)): a validator's signing state never goes back"
            )
        }
        Console.standardOutput.write(lines.joined(separator: "\n") + "\n")
    }
}
