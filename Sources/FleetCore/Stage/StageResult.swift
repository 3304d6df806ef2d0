/// How staging ended on one host; the raw value is what `--json` prints.
public enum StageResult: String, Sendable, Hashable, Codable, CaseIterable {
    /// The file was transferred, verified on the node and renamed into place.
    case staged
    /// The target already held a file with the same sha256; nothing was transferred or touched.
    case alreadyStaged = "already-staged"
    /// The target holds something else and `--force` was not given (or cannot replace it).
    case refused
    /// Connecting, transferring or verifying failed; nothing new is at the target path.
    case failed

    /// Whether the host holds the wanted file now.
    public var succeeded: Bool { self == .staged || self == .alreadyStaged }
}

/// Where one host's staging is, for progress output.
public enum StagePhase: Sendable, Hashable {
    /// Not started yet (waiting for a slot under `--parallel`).
    case queued
    /// Opening the SSH connection.
    case connecting
    /// Waiting before connection attempt `attempt` (2 or more).
    case retrying(attempt: Int)
    /// Reading what is at the target path.
    case inspecting
    /// Uploading (push) or downloading on the node (pull).
    case transferring
    /// Checking the file at the final path.
    case verifying
    /// Finished.
    case done(StageResult)
}
