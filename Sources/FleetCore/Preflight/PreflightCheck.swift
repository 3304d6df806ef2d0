/// One column of the preflight matrix: a condition every node must meet before an upgrade.
public enum PreflightCheck: String, Sendable, Codable, CaseIterable {
    /// The binary is staged in the exact directory the agent will look in (``UpgradeName`` mapping).
    case staged
    /// Its sha256 is the same on every node (and equals `--sha256` when given).
    case sha256
    /// It has an execute bit.
    case executable
    /// `<bin> version` prints `--version` (shown, not checked, without it).
    case version
    /// The backup directory can hold the data backup taken before the switch (unless backups are off).
    case disk
    /// An agent runs the node with `DAEMON_RESTART_AFTER_UPGRADE` on.
    case agent
    /// The node's RPC answers and is not catching up.
    case sync
    /// No double-sign finding names the node (``FleetAssessment``).
    case doubleSign = "double_sign"
    /// With `--height`: the node is below it; blocks left and an ETA.
    case height

    /// The column heading.
    public var heading: String {
        switch self {
        case .staged: "STAGED"
        case .sha256: "SHA256"
        case .executable: "EXEC"
        case .version: "VERSION"
        case .disk: "DISK"
        case .agent: "AGENT"
        case .sync: "SYNC"
        case .doubleSign: "DOUBLE-SIGN"
        case .height: "HEIGHT"
        }
    }
}

/// One cell of the preflight matrix.
public struct PreflightCell: Sendable, Codable, Equatable {
    /// The cell's outcome.
    public enum Verdict: String, Sendable, Codable {
        /// Met.
        case pass
        /// Not met: the upgrade would fail or be unsafe on this node.
        case fail
        /// Not asked for (no `--version`, no `--height`, backups off): counts as met.
        case skip
    }

    /// The column.
    public var check: PreflightCheck
    public var verdict: Verdict
    /// What was seen (a path, a hash, a version, a sentence on failure).
    public var detail: String

    /// Creates a cell.
    public init(_ check: PreflightCheck, _ verdict: Verdict, _ detail: String) {
        self.check = check
        self.verdict = verdict
        self.detail = detail
    }

    /// Whether the cell does not block the upgrade.
    public var isGreen: Bool { verdict != .fail }
}
