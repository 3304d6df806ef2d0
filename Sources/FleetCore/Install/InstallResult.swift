/// How `fleet install-agent` ended on one host; the raw value is what `--json` prints.
public enum InstallResult: String, Sendable, Hashable, Codable, CaseIterable {
    /// The agent was started in this run (detached, or by `systemctl enable --now`) and answers `status`
    /// with its child running.
    case started
    /// An agent already supervised the node: nothing was restarted.
    case alreadyRunning = "already-running"
    /// The binary and the unit are in place; the agent was not started (systemd mode without `--enable`).
    case installed
    /// Refused: the daemon runs outside the agent, or a different file is in the way and `--force` was
    /// not given.
    case refused
    /// Something failed; the reason says what and where.
    case failed

    /// Whether the host ends as asked.
    public var succeeded: Bool { self == .started || self == .alreadyRunning || self == .installed }
}
