/// What the inspection round trip found at a node's target path.
public struct StageRemoteFacts: Sendable, Hashable {
    /// Which file a path holds: a rename keeps both, so the final path can be re-checked against the
    /// verified temp file without hashing it again.
    public struct Identity: Sendable, Hashable {
        /// The inode number.
        public var inode: UInt64
        /// The size in bytes.
        public var size: Int64

        /// Creates an identity.
        public init(inode: UInt64, size: Int64) {
            self.inode = inode
            self.size = size
        }
    }

    /// What is at the target path.
    public enum Target: Sendable, Hashable {
        /// Nothing.
        case missing
        /// A regular file (or a link to one) with this lowercase hex sha256.
        case file(sha256: String)
        /// A symbolic link that does not lead to a regular file.
        case symlink
        /// A directory.
        case directory
        /// Something else (a socket, a device).
        case other
    }

    /// What is at the target path.
    public var target: Target
    /// Leftover temp files of earlier interrupted stages that the inspection removed.
    public var removedTemporaries: Int
    /// Bytes free for the node user on the filesystem that will hold the target (`df` of its nearest
    /// existing folder), when `df` answered.
    public var freeBytes: Int64?

    /// Creates facts.
    public init(target: Target, removedTemporaries: Int = 0, freeBytes: Int64? = nil) {
        self.target = target
        self.removedTemporaries = removedTemporaries
        self.freeBytes = freeBytes
    }
}
