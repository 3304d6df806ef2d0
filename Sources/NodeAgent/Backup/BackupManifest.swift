import FleetCore
import Foundation

/// `.node-agent-backup.json` at the top of every backup: what was cloned, linked and copied, sizes, and
/// the sha256 of each small copied file (the node's state files), so an operator can tell what a backup
/// holds and check it. `restore-backup` leaves it out of the restored data.
struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest's file name inside a backup.
    static let fileName = ".node-agent-backup.json"
    /// Copied files up to this size get a sha256 in the manifest.
    static let digestLimit: Int64 = 1 << 20

    /// How one entry reached the backup.
    enum How: String, Codable, Sendable {
        case reflinked, linked, copied, directory, symlink, skipped
    }

    /// One entry of the backup.
    struct Entry: Codable, Sendable, Equatable {
        var path: String
        var how: How
        var size: Int64
        /// Permission bits, octal (`0644`).
        var mode: String
        /// A symbolic link's target.
        var target: String?
        /// Copied files up to ``BackupManifest/digestLimit``.
        var sha256: String?
    }

    var schema = 1
    /// The upgrade the backup was taken for, as its directory is named.
    var upgrade: String
    var height: Int64
    /// When the backup was started (RFC 3339, UTC).
    var createdAt: String
    /// The data directory it is a backup of.
    var dataDirectory: String
    var method: BackupPlan.Method
    /// Seconds the backup took.
    var seconds: Double
    var bytesShared: Int64
    var bytesCopied: Int64
    var entries: [Entry]

    /// Encodes as ``AgentJSON`` (snake_case keys, sorted, compact: `jq .` shows it readably).
    func encoded() throws -> Data {
        try AgentJSON.encoder.encode(self)
    }

    /// Reads the manifest of the backup at `directory`; `nil` when it has none (a cosmovisor backup) or it
    /// cannot be decoded.
    static func read(backup directory: String) -> BackupManifest? {
        guard let data = try? AtomicFile.read(directory + "/" + fileName) else { return nil }
        return try? AgentJSON.decoder.decode(BackupManifest.self, from: data)
    }
}
