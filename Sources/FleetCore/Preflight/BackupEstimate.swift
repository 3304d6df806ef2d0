public import Foundation

/// What the data backup before an upgrade would need on a node, without taking it:
/// `node-agent backups --estimate --json` prints it, `fleet preflight` compares it with the free space.
///
/// The numbers are the agent's own backup planner's (table files shared by hard link, everything else
/// copied; a plain copy when the backup directory is on another file system), so a clone-capable file
/// system needs less than estimated, never more.
///
/// ```json
/// {"backup_dir":"/n","bytes_needed":1052672,"copied_bytes":4096,"files":3,"free_bytes":9000000,
///  "method":"hardlink","shared_bytes":2097152,"skip_backup":false}
/// ```
public struct BackupEstimate: Codable, Sendable, Equatable {
    /// `DAEMON_DATA_BACKUP_DIR` the running agent uses (else the configured one).
    public var backupDir: String
    /// Whether the agent skips backups (`UNSAFE_SKIP_BACKUP=true`).
    public var skipBackup: Bool
    /// `hardlink` or `copy`.
    public var method: String
    /// Bytes the backup takes on the backup directory's file system (copied files and directories rounded
    /// up to blocks, plus a margin).
    public var bytesNeeded: Int64
    /// Bytes of the files that would be copied.
    public var copiedBytes: Int64
    /// Bytes of the files that would be shared (no data written).
    public var sharedBytes: Int64
    /// Regular files in `data/`.
    public var files: Int
    /// Bytes free for the agent's user in the backup directory, `nil` when it cannot be read.
    public var freeBytes: Int64?

    /// Creates an estimate.
    public init(
        backupDir: String, skipBackup: Bool, method: String, bytesNeeded: Int64, copiedBytes: Int64,
        sharedBytes: Int64, files: Int, freeBytes: Int64?
    ) {
        self.backupDir = backupDir
        self.skipBackup = skipBackup
        self.method = method
        self.bytesNeeded = bytesNeeded
        self.copiedBytes = copiedBytes
        self.sharedBytes = sharedBytes
        self.files = files
        self.freeBytes = freeBytes
    }

    /// The document as printed (``AgentJSON``: snake_case keys, sorted, one line).
    public func encoded() throws -> Data {
        try AgentJSON.encoder.encode(self)
    }

    /// Decodes a document written by ``encoded()``.
    public static func decode(_ data: Data) throws -> BackupEstimate {
        try AgentJSON.decoder.decode(BackupEstimate.self, from: data)
    }
}
