import FleetCore
import Foundation
import Glibc

/// The backups in `DAEMON_DATA_BACKUP_DIR`, for `node-agent backups`: ours (with a manifest) and
/// cosmovisor's (`data-backup-<Y>-<M>-<D>`), newest first, with their sizes.
enum BackupCatalog {
    /// One backup.
    struct Item: Sendable, Equatable {
        var name: String
        var path: String
        /// From the manifest, else the directory's modification time.
        var created: Date
        /// The upgrade from the manifest; `nil` for a backup without one.
        var upgrade: String?
        var method: BackupPlan.Method?
        /// Sum of the sizes of the files backed up (the manifest left out).
        var apparentBytes: Int64
        /// Blocks only this backup holds: files with no other hard link and not cloned (per the manifest),
        /// plus directories. Freed when the backup is deleted.
        var uniqueBytes: Int64
        /// From the manifest (`nil` without one): the files and bytes written as copies, and those shared
        /// with the data directory (hard links or clones, no data written).
        var copied: Tally?
        var shared: Tally?
    }

    /// A number of files and their bytes.
    struct Tally: Sendable, Equatable {
        var files: Int
        var bytes: Int64
    }

    /// Every finished backup under `directory`, newest first (unfinished `.partial-` ones are left out).
    ///
    /// - Throws: ``AgentError`` when `directory` cannot be read.
    static func list(_ directory: String) throws(AgentError) -> [Item] {
        var items: [Item] = []
        for name in try BackupWalker.names(in: directory) where name.hasPrefix(DataBackup.prefix) {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let manifest = BackupManifest.read(backup: path)
            let cloned = Set((manifest?.entries ?? []).filter { $0.how == .reflinked }.map(\.path))
            var apparent: Int64 = 0
            var unique = Int64(info.st_blocks) * 512
            var manifestInfo = stat()
            if lstat(path + "/" + BackupManifest.fileName, &manifestInfo) == 0 {
                unique += Int64(manifestInfo.st_blocks) * 512
            }
            for found in try BackupWalker.walk(path, skip: [BackupManifest.fileName]) {
                if found.entry.kind == .file { apparent += found.entry.size }
                if found.links == 1 || found.entry.kind == .directory, !cloned.contains(found.entry.path) {
                    unique += found.allocated
                }
            }
            let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            let created = manifest.flatMap { try? Date($0.createdAt, strategy: .iso8601) } ?? modified
            let files = (manifest?.entries ?? []).filter { [.copied, .linked, .reflinked].contains($0.how) }
            let copiedFiles = files.filter { $0.how == .copied }.count
            items.append(
                Item(
                    name: name, path: path, created: created, upgrade: manifest?.upgrade, method: manifest?.method,
                    apparentBytes: apparent, uniqueBytes: unique,
                    copied: manifest.map { Tally(files: copiedFiles, bytes: $0.bytesCopied) },
                    shared: manifest.map { Tally(files: files.count - copiedFiles, bytes: $0.bytesShared) }
                )
            )
        }
        return items.sorted { ($0.created, $0.name) > ($1.created, $1.name) }
    }

    /// `1.5 GiB`, `12 MiB`, `300 B`.
    static func human(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return String(format: value >= 10 ? "%.0f" : "%.1f", value) + " " + units[unit]
    }
}
