import FleetCore
import Foundation
import Glibc

/// `restore-backup`: puts a backup back as the node's `data/`, atomically for the node.
///
/// Refuses while the agent lock is held (an agent runs, or a node an agent started still does) and holds
/// it itself while it works. The restored tree is built beside `data/` (the same clone / hard link / copy
/// rules as the backup, so table files are linked, never copied, on one file system), fsynced, then the
/// current `data/` is renamed to `data.before-restore-<UTC time>` and the restored tree renamed to
/// `data`. A `data` that is a symbolic link stays one: the directory it points to is what is replaced.
///
/// A validator's signing state never goes back: when the current `priv_validator_state.json` records a
/// higher height than the backup's, the current one is kept (restoring an older one is how a validator
/// double-signs).
struct BackupRestore: Sendable {
    /// The node's tree.
    var layout: CosmovisorLayout
    /// `DAEMON_DATA_BACKUP_DIR`, where backup names are looked up.
    var backupDirectory: String
    /// Free bytes where the restored tree is built (a seam for tests; `statvfs` by default).
    var freeBytes: @Sendable (String) -> Int64? = BackupTreeWriter.freeBytes(at:)

    /// What was restored.
    struct Result: Sendable {
        /// The backup restored.
        var backup: String
        /// The data directory now holding it.
        var data: String
        /// Where the data from before the restore went; `nil` when there was none.
        var previous: String?
        var method: BackupPlan.Method
        /// Set when the newer signing state was kept: its height and the backup's.
        var keptSigningState: (current: Int64, backup: Int64)?
    }

    /// The backup directory `argument` names: a path when it contains `/`, else a name in ``backupDirectory``.
    ///
    /// - Throws: ``AgentError`` when it is not a directory or is an unfinished (`.partial-`) one.
    func resolve(_ argument: String) throws(AgentError) -> String {
        let path = argument.contains("/") ? argument : backupDirectory + "/" + argument
        var info = stat()
        guard stat(path, &info) == 0 else { throw AgentError(.command, "no backup \(path): \(GoText.errno(errno))") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw AgentError(.command, "\(path) is not a backup directory") }
        if PosixName.base(of: path).contains(".partial-") {
            throw AgentError(.command, "\(path) is an unfinished backup (its agent stopped while writing it)")
        }
        return path
    }

    /// Restores the backup `argument` names.
    ///
    /// - Throws: ``AgentError``: `.lock` while the node runs, `.command` for a missing backup, a space
    ///   refusal or a failed system call (the half-built tree is removed, `data/` untouched).
    func restore(_ argument: String, at date: Date = Date()) throws(AgentError) -> Result {
        let lock: AgentLock
        do {
            lock = try AgentLock.acquire(AgentLock.path(in: layout))
        } catch  where error.message.contains("holds the lock") {
            throw AgentError(.lock, "refusing to restore a backup while the node runs: \(error.message)")
        }
        defer { close(lock.descriptor) }
        let backup = try resolve(argument)
        let data = Self.resolvedPath(layout.dataDirectory)
        let parent = PosixName.directory(of: data)
        let staging = parent + "/.data.restore-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o700) == 0 else { throw AgentError(.command, "mkdir \(staging): \(GoText.errno(errno))") }
        do throws(AgentError) {
            let found = try BackupWalker.walk(backup, skip: [BackupManifest.fileName])
            let probe = found.first { $0.entry.kind == .file && $0.entry.size > 0 }.map { backup + "/" + $0.entry.path }
            let method = BackupTreeWriter.method(from: backup, into: staging, probe: probe)
            let plan = BackupPlan(found.map(\.entry), method: method)
            if let free = freeBytes(parent), let refusal = plan.refusal(freeBytes: free, in: parent) {
                throw AgentError(.command, refusal)
            }
            _ = try BackupTreeWriter(source: backup, destination: staging).write(plan)
            var info = stat()
            if stat(backup, &info) == 0 { chmod(staging, info.st_mode & 0o7777) }
            let kept = try keepNewerSigningState(from: data, into: staging)
            if let code = BackupTreeWriter.syncDirectory(staging) { throw .step("fsync \(staging)", errno: code) }
            var previous: String?
            if access(data, F_OK) == 0 {
                let aside = data + ".before-restore-" + DataBackup.timestamp(date)
                guard rename(data, aside) == 0 else { throw .step("rename \(data) \(aside)", errno: errno) }
                previous = aside
            }
            guard rename(staging, data) == 0 else {
                let code = errno
                if let previous { rename(previous, data) }
                throw .step("rename \(staging) \(data)", errno: code)
            }
            _ = BackupTreeWriter.syncDirectory(parent)
            return Result(backup: backup, data: data, previous: previous, method: method, keptSigningState: kept)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Replaces the restored `priv_validator_state.json` with the current one when the current one is ahead.
    private func keepNewerSigningState(
        from data: String, into staging: String
    ) throws(AgentError) -> (current: Int64, backup: Int64)? {
        let name = "/priv_validator_state.json"
        guard let current = Self.signedHeight(data + name), let restored = Self.signedHeight(staging + name),
            current > restored
        else { return nil }
        unlink(staging + name)
        var info = stat()
        let mode = stat(data + name, &info) == 0 ? info.st_mode & 0o7777 : 0o600
        if let failure = FileClone.copy(data + name, to: staging + name, mode: mode) {
            throw .step("copy \(data + name): \(failure.path)", errno: failure.errno)
        }
        return (current, restored)
    }

    /// The `height` of a CometBFT `priv_validator_state.json` (a decimal string or a number).
    static func signedHeight(_ path: String) -> Int64? {
        guard let data = try? AtomicFile.read(path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        if let text = object["height"] as? String { return Int64(text) }
        return (object["height"] as? NSNumber)?.int64Value
    }

    /// `path` with symbolic links resolved (itself when it does not exist).
    static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Path splitting for the backup code.
enum PosixName {
    /// The directory part of a path.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path.
    static func base(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
