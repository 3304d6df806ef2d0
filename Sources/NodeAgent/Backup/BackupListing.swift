import FleetCore
import Foundation

/// `node-agent backups --json`: what the table shows, as one ``AgentJSON`` document in the shape family
/// of `backups --estimate --json` (``BackupEstimate``: `backup_dir`, `*_bytes`, `files`).
///
/// ```json
/// {"backup_dir":"/b","backups":[{"copied_bytes":4096,"copied_files":3,"created_at":"2026-12-01T08:55:05Z",
///  "method":"hardlink","name":"data-backup-v2-20261201T085505Z","path":"/b/data-backup-v2-20261201T085505Z",
///  "shared_bytes":1073741824,"shared_files":512,"size_bytes":1073745920,"unique_bytes":12288,"upgrade":"v2"}]}
/// ```
/// A backup without a manifest (cosmovisor's `data-backup-<Y>-<M>-<D>`) has no `upgrade`, `method`,
/// `copied_*` or `shared_*`.
struct BackupListing: Codable, Sendable, Equatable {
    /// One backup, newest first.
    struct Backup: Codable, Sendable, Equatable {
        /// The directory's name (the `NAME` column, what `restore-backup` takes).
        var name: String
        var path: String
        /// The upgrade it was taken for (from the manifest).
        var upgrade: String?
        /// When it was started (RFC 3339, UTC): the manifest's time, else the directory's modification time.
        var createdAt: String
        /// `reflink`, `hardlink` or `copy`.
        var method: String?
        /// The sum of the files' sizes (`SIZE`).
        var sizeBytes: Int64
        /// What only this backup holds on disk, freed by deleting it (`UNIQUE`).
        var uniqueBytes: Int64
        /// Files and bytes written as copies.
        var copiedFiles: Int?
        var copiedBytes: Int64?
        /// Files and bytes shared with the data directory (hard links or clones).
        var sharedFiles: Int?
        var sharedBytes: Int64?
    }

    /// `DAEMON_DATA_BACKUP_DIR`.
    var backupDir: String
    var backups: [Backup]

    /// The listing of `items` (``BackupCatalog/list(_:)``) found in `backupDir`.
    init(backupDir: String, items: [BackupCatalog.Item]) {
        self.backupDir = backupDir
        backups = items.map { item in
            Backup(
                name: item.name, path: item.path, upgrade: item.upgrade,
                createdAt: AgentRuntimeState.timestamp(item.created), method: item.method?.rawValue,
                sizeBytes: item.apparentBytes, uniqueBytes: item.uniqueBytes, copiedFiles: item.copied?.files,
                copiedBytes: item.copied?.bytes, sharedFiles: item.shared?.files, sharedBytes: item.shared?.bytes)
        }
    }

    /// The document as printed (one line).
    func encoded() throws -> Data {
        try AgentJSON.encoder.encode(self)
    }
}
