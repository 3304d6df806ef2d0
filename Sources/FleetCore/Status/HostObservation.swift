/// What `fleet status` learned about one inventory host.
public struct HostObservation: Sendable, Equatable, Codable {
    /// How the status was obtained.
    public enum Source: String, Sendable, Codable {
        /// `node-agent status --json` on the node.
        case agent
        /// Plain shell probes (no agent installed).
        case probe
    }

    /// Inventory name.
    public var host: String
    /// `validator`, `sentry` or `full`.
    public var role: String
    /// The node's state, when it could be reached.
    public var status: NodeStatus?
    /// Where `status` came from.
    public var source: Source?
    /// Why the node could not be read, when it could not.
    public var error: String?

    /// Creates an observation.
    public init(host: String, role: String, status: NodeStatus? = nil, source: Source? = nil, error: String? = nil) {
        self.host = host
        self.role = role
        self.status = status
        self.source = source
        self.error = error
    }

    /// Whether the node answered.
    public var reachable: Bool { status != nil }

    /// Whether a chain process is producing or serving blocks on the node right now.
    public var nodeRunning: Bool {
        guard let status else { return false }
        if let child = status.child, child.pid != nil { return true }
        return status.chain?.height != nil
    }
}
