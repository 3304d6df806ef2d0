import Glibc

/// One thing under the data directory, as ``BackupWalker`` found it with `lstat(2)`: the input of
/// ``BackupPlan``.
struct BackupEntry: Sendable, Equatable {
    /// What the entry is; symbolic links are kept as links, never followed.
    enum Kind: Sendable, Equatable {
        case directory
        case file
        case symlink(target: String)
        /// A socket, FIFO or device: a database never keeps one in its data directory; not backed up.
        case special
    }

    /// The path relative to the data directory (`application.db/000123.ldb`), never empty.
    var path: String
    var kind: Kind
    /// Apparent size in bytes (files only; 0 otherwise).
    var size: Int64
    /// Permission bits (`st_mode & 0o7777`).
    var mode: mode_t
}
