/// One step of a rollout: nodes switched together, then gated together, before the next step starts.
public struct RolloutStep: Sendable, Equatable, Codable {
    /// Why the step is where it is.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The `--canary` host, alone, first.
        case canary
        /// Full nodes and sentries, `--batch` at a time.
        case batch
        /// One validator.
        case validator
    }

    /// One node of a step.
    public struct Switch: Sendable, Equatable, Codable {
        /// Inventory name.
        public var host: String
        /// Its role.
        public var role: InventoryHost.Role
        /// The release it runs now (`nil`: unknown).
        public var from: String?
        /// The release it is switched to.
        public var to: String
        /// Its voting power (validators).
        public var votingPower: Int64

        /// Creates a switch.
        public init(host: String, role: InventoryHost.Role, from: String?, to: String, votingPower: Int64) {
            self.host = host
            self.role = role
            self.from = from
            self.to = to
            self.votingPower = votingPower
        }
    }

    /// Why the step is where it is.
    public var kind: Kind
    /// The nodes switched in this step.
    public var switches: [Switch]

    /// Creates a step.
    public init(kind: Kind, switches: [Switch]) {
        self.kind = kind
        self.switches = switches
    }

    /// The step's host names.
    public var hosts: [String] { switches.map(\.host) }
}
