/// What the inspection round trip found at a node's target path.
public struct StageRemoteFacts: Sendable, Hashable {
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

    /// Creates facts.
    public init(target: Target, removedTemporaries: Int = 0) {
        self.target = target
        self.removedTemporaries = removedTemporaries
    }
}
