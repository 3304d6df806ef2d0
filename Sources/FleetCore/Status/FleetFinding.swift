/// One thing `fleet status` flags about the fleet.
public struct FleetFinding: Sendable, Equatable, Codable, CustomStringConvertible {
    /// How bad it is; ordered.
    public enum Severity: String, Sendable, Codable, Comparable {
        /// Worth knowing.
        case info
        /// Needs attention before an upgrade.
        case warning
        /// An upgrade or a node will fail.
        case error
        /// Slashing risk: stop and look.
        case critical

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            case .critical: 3
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// Stable identifiers of each kind of finding (used in `--json` and tests).
    public enum Kind: String, Sendable, Codable {
        case unreachable
        case hashDrift = "hash_drift"
        case currentDrift = "current_drift"
        case currentInvalid = "current_invalid"
        case planWithoutBinary = "plan_without_binary"
        case notExecutable = "not_executable"
        case agentNotRunning = "agent_not_running"
        case settingsDrift = "settings_drift"
        case catchingUp = "catching_up"
        case lagging
        case doubleSignRisk = "double_sign_risk"
    }

    /// Severity.
    public var severity: Severity
    /// Kind.
    public var kind: Kind
    /// The hosts concerned, in inventory order.
    public var hosts: [String]
    /// A sentence for the operator.
    public var message: String

    /// Creates a finding.
    public init(severity: Severity, kind: Kind, hosts: [String], message: String) {
        self.severity = severity
        self.kind = kind
        self.hosts = hosts
        self.message = message
    }

    public var description: String { "\(severity.rawValue.uppercased()) \(kind.rawValue): \(message)" }
}
