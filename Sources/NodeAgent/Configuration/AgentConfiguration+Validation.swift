import FleetCore
import Foundation

extension AgentConfiguration {
    /// Which checks follow parsing.
    enum Validation: Sendable {
        /// cosmovisor's `validate()`: name, home with its `cosmovisor/` folder, backup directory.
        case full
        /// `init`'s minimal check: name set, home set and absolute.
        case minimal
    }

    /// The problems `validation` finds.
    func problems(_ validation: Validation) -> [ConfigurationProblem] {
        switch validation {
        case .full: validationProblems()
        case .minimal: minimalProblems()
        }
    }

    /// Cosmovisor's `validate()`: name, home, then the backup directory unless backups are skipped.
    ///
    /// Touches the file system: `$DAEMON_HOME/cosmovisor` must be a directory, and so must the backup
    /// directory when backups are on.
    func validationProblems() -> [ConfigurationProblem] {
        var problems = minimalProblems()
        if home.hasPrefix("/") {
            switch Self.statDirectory(layout.root) {
            case .failure(let reason): problems.append(ConfigurationProblem("cannot stat home dir: \(reason)"))
            case .success(false): problems.append(ConfigurationProblem("\(layout.root) is not a directory"))
            case .success(true): break
            }
        }
        if skipBackup { return problems }
        if backupDir.isEmpty {
            problems.append(ConfigurationProblem("DAEMON_DATA_BACKUP_DIR must not be empty"))
        } else if !backupDir.hasPrefix("/") {
            problems.append(ConfigurationProblem("\(backupDir) must be an absolute path"))
        } else {
            switch Self.statDirectory(backupDir) {
            case .failure(let reason):
                problems.append(
                    ConfigurationProblem("\(GoDuration.goQuote(backupDir)) must be a valid directory: \(reason)")
                )
            case .success(false):
                problems.append(ConfigurationProblem("\(GoDuration.goQuote(backupDir)) must be a valid directory"))
            case .success(true): break
            }
        }
        return problems
    }

    /// The minimal check `init` makes: name set, home set and absolute.
    func minimalProblems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if name.isEmpty { problems.append(ConfigurationProblem("DAEMON_NAME is not set")) }
        if home.isEmpty {
            problems.append(ConfigurationProblem("DAEMON_HOME is not set"))
        } else if !home.hasPrefix("/") {
            problems.append(ConfigurationProblem("DAEMON_HOME must be an absolute path"))
        }
        return problems
    }

    /// `stat(2)`: whether `path` is a directory, or Go's `stat <path>: <reason>` text.
    static func statDirectory(_ path: String) -> Result<Bool, AgentError> {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            return .failure(AgentError(.stat, "stat \(path): \(GoText.errno(code))", errno: code))
        }
        return .success((info.st_mode & S_IFMT) == S_IFDIR)
    }
}
