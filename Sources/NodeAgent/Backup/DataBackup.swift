import FleetCore
import Foundation
import Glibc

/// The backup of `data/` taken before an upgrade (spec §5.5, made fast): one new directory per upgrade,
/// `<DAEMON_DATA_BACKUP_DIR>/data-backup-<upgrade dir>-<UTC yyyyMMddTHHmmssZ>`, never merged with another.
///
/// The tree is built under `.<final name>.partial-<pid>` beside it by ``BackupTreeWriter`` (clones, or
/// hard links for table files and copies of the rest, see ``BackupPlan``), every file and directory
/// fsynced, the manifest written, and only then renamed to its final name; a crash never leaves a half
/// backup under a final name, and the next backup removes partial ones whose process is gone. Before
/// anything is written the plan's space need is checked against `statvfs`.
///
/// ```swift
/// let result = try DataBackup(dataDirectory: layout.dataDirectory, backupDirectory: backupDir)
///     .take(upgrade: "v2", height: 1200)
/// ```
struct DataBackup: Sendable {
    /// The node's `data/`.
    var dataDirectory: String
    /// `DAEMON_DATA_BACKUP_DIR`.
    var backupDirectory: String
    /// Free bytes where the backup goes (a seam for tests; `statvfs` by default).
    var freeBytes: @Sendable (String) -> Int64? = BackupTreeWriter.freeBytes(at:)

    /// The finished backup.
    struct Result: Sendable, Equatable {
        var path: String
        var name: String
        var method: BackupPlan.Method
        var seconds: Double
        var bytesCopied: Int64
        var bytesShared: Int64
        var files: Int
    }

    /// The prefix of every backup directory (cosmovisor's too).
    static let prefix = "data-backup-"

    /// `data-backup-<upgrade>-<yyyyMMddTHHmmssZ>`.
    static func name(upgrade: String, at date: Date) -> String {
        prefix + upgrade + "-" + timestamp(date)
    }

    /// `yyyyMMddTHHmmssZ` in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Takes the backup.
    ///
    /// - Parameters:
    ///   - upgrade: the upgrade's directory name (``UpgradeName/directory``).
    ///   - height: the upgrade height, for the manifest.
    /// - Throws: ``AgentError`` (`.step`): the space refusal, or the failed system call with its path; the
    ///   partial directory is removed.
    func take(upgrade: String, height: Int64, at date: Date = Date()) throws(AgentError) -> Result {
        let started = ContinuousClock.now
        removeAbandonedPartials()
        var name = Self.name(upgrade: upgrade, at: date)
        var suffix = 1
        while FileManager.default.fileExists(atPath: backupDirectory + "/" + name) {
            suffix += 1
            name = Self.name(upgrade: upgrade, at: date) + "-\(suffix)"
        }
        let final = backupDirectory + "/" + name
        let staging = backupDirectory + "/." + name + ".partial-\(getpid())"
        guard mkdir(staging, 0o700) == 0 else { throw .step("mkdir \(staging)", errno: errno) }
        do throws(AgentError) {
            let found = try BackupWalker.walk(dataDirectory)
            let probe = found.first { $0.entry.kind == .file && $0.entry.size > 0 }.map {
                dataDirectory + "/" + $0.entry.path
            }
            let method = BackupTreeWriter.method(from: dataDirectory, into: staging, probe: probe)
            let plan = BackupPlan(found.map(\.entry), method: method)
            if let free = freeBytes(backupDirectory), let refusal = plan.refusal(freeBytes: free, in: backupDirectory) {
                throw AgentError(.step, refusal)
            }
            let entries = try BackupTreeWriter(source: dataDirectory, destination: staging).write(plan)
            var info = stat()
            if stat(dataDirectory, &info) == 0 { chmod(staging, info.st_mode & 0o7777) }
            let seconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
            let manifest = BackupManifest(
                upgrade: upgrade, height: height, createdAt: AgentRuntimeState.timestamp(date),
                dataDirectory: dataDirectory, method: method, seconds: seconds,
                bytesShared: entries.filter { $0.how == .reflinked || $0.how == .linked }.reduce(0) { $0 + $1.size },
                bytesCopied: entries.filter { $0.how == .copied }.reduce(0) { $0 + $1.size },
                entries: entries
            )
            do {
                let data = try manifest.encoded()
                try AtomicFile.write(data, to: staging + "/" + BackupManifest.fileName, mode: 0o644)
            } catch {
                throw AgentError(.step, "writing the backup manifest in \(staging): \(error)")
            }
            if let code = BackupTreeWriter.syncDirectory(staging) { throw .step("fsync \(staging)", errno: code) }
            guard rename(staging, final) == 0 else { throw .step("rename \(staging) \(final)", errno: errno) }
            if let code = BackupTreeWriter.syncDirectory(backupDirectory) {
                throw .step("fsync \(backupDirectory)", errno: code)
            }
            return Result(
                path: final, name: name, method: method,
                seconds: Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000,
                bytesCopied: manifest.bytesCopied, bytesShared: manifest.bytesShared,
                files: entries.count { $0.how == .copied || $0.how == .linked || $0.how == .reflinked }
            )
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Removes `.data-backup-*.partial-<pid>` directories whose process no longer runs (a crash mid-backup).
    private func removeAbandonedPartials() {
        guard let names = try? BackupWalker.names(in: backupDirectory) else { return }
        for name in names where name.hasPrefix("." + Self.prefix) {
            guard let range = name.range(of: ".partial-", options: .backwards),
                let pid = Int32(name[range.upperBound...]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: backupDirectory + "/" + name)
        }
    }
}
