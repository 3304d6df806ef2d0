/// A host with its groups and fully resolved variables, plus typed accessors for what `fleet` uses.
///
/// ``vars`` are resolved with Ansible's precedence (see ``InventoryParser``). Empty values count as
/// unset in the optional accessors. ``port`` and ``role`` are validated when the host is created, so
/// reading them never fails.
///
/// Encoded (for `fleet inventory list --json`) with the stable keys `name`, `address`, `port`, `user`,
/// `private_key_file`, `daemon_name`, `daemon_home`, `node_rpc`, `agent_path`, `role`, `groups` and
/// `vars`; unset optionals are `null`. Decoding reads `name`, `groups` and `vars` and validates again.
public struct InventoryHost: Sendable, Hashable, Codable {
    /// What a node does in the fleet, which orders rollouts (sentries and full nodes before validators).
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Signs blocks; restarted last and one at a time.
        case validator
        /// Shields validators; restarted before them.
        case sentry
        /// Any other node (RPC, archive, relayer).
        case full
    }

    /// The SSH port when `ansible_port` is unset.
    public static let defaultPort = 22
    /// The node's CometBFT RPC as the node sees it, when `node_rpc` is unset.
    public static let defaultNodeRPC = "http://127.0.0.1:26657"

    /// The inventory name (also the address when `ansible_host` is unset).
    public let name: String
    /// Every group the host belongs to, directly or through a child group, sorted by name;
    /// `all` is left out because every host is in it (Ansible's `group_names`).
    public let groups: [String]
    /// Every variable after precedence is applied.
    public let vars: [String: String]
    /// `ansible_port`, or 22; always in 1...65535.
    public let port: Int
    /// `fleet_role` when set, else `validator` for members of `validators`, `sentry` for members of
    /// `sentries`, else `full` (a host in both groups is a validator, the cautious choice).
    public let role: Role

    /// Creates a host, validating `ansible_port`, `fleet_role` and the variables fleet reads (no Ansible
    /// template; `daemon_home` and `agent_path` readable by ``NodePath``).
    ///
    /// - Throws: ``InventoryError`` with code `invalidPort`, `invalidRole`, `template` or `nodePath`; the error has no position
    ///   (the parser reports the same problems with the variable's file, line and column).
    public init(name: String, groups: [String] = [], vars: [String: String] = [:]) throws(InventoryError) {
        guard let port = Self.port(from: vars["ansible_port"]) else {
            throw Self.invalidPort(host: name, value: vars["ansible_port"] ?? "", at: .file(""))
        }
        guard let role = Self.role(from: vars["fleet_role"], groups: groups) else {
            throw Self.invalidRole(host: name, value: vars["fleet_role"] ?? "", at: .file(""))
        }
        if let problem = Self.unusableVariable(host: name, vars: vars) {
            throw Self.unusable(problem.error, at: .file(""))
        }
        self.name = name
        self.groups = groups
        self.vars = vars
        self.port = port
        self.role = role
    }

    // MARK: - Accessors

    /// `ansible_host`, or the host's name.
    public var address: String { value("ansible_host") ?? name }
    /// `ansible_user`, or `nil` to let the SSH layer choose.
    public var user: String? { value("ansible_user") }
    /// `ansible_ssh_private_key_file`, else `ansible_private_key_file`.
    public var privateKeyFile: String? { value("ansible_ssh_private_key_file") ?? value("ansible_private_key_file") }
    /// `daemon_name`: the chain binary's name (cosmovisor's `DAEMON_NAME`).
    public var daemonName: String? { value("daemon_name") }
    /// `daemon_home`: the node's `DAEMON_HOME`, as written (`~`/`$HOME` forms are resolved on the node by
    /// ``resolvingNodePaths(over:)``).
    public var daemonHome: String? { value("daemon_home") }
    /// `node_rpc`, or `http://127.0.0.1:26657`.
    public var nodeRPC: String { value("node_rpc") ?? Self.defaultNodeRPC }
    /// `agent_path`: where `node-agent` lives on the node.
    public var agentPath: String? { value("agent_path") }

    /// Whether the host is in `group`, directly or through a child group (`all` is always true).
    public func isMember(of group: String) -> Bool {
        group == "all" || groups.contains(group)
    }

    private func value(_ key: String) -> String? {
        guard let value = vars[key], !value.isEmpty else { return nil }
        return value
    }

    // MARK: - Validation (shared with the resolver, which knows where a value was set)

    static func port(from value: String?) -> Int? {
        guard let value, !value.isEmpty else { return defaultPort }
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(value), (1...65535).contains(port)
        else { return nil }
        return port
    }

    static func role(from value: String?, groups: [String]) -> Role? {
        if let value, !value.isEmpty { return Role(rawValue: value) }
        if groups.contains("validators") { return .validator }
        if groups.contains("sentries") { return .sentry }
        return .full
    }

    static func invalidPort(host: String, value: String, at location: InventorySourceLocation) -> InventoryError {
        InventoryError(
            .invalidPort, at: location,
            "ansible_port '\(value)' of host '\(host)' is not a port number (1...65535)"
        )
    }

    static func invalidRole(host: String, value: String, at location: InventorySourceLocation) -> InventoryError {
        InventoryError(
            .invalidRole, at: location,
            "fleet_role '\(value)' of host '\(host)' is not validator, sentry or full"
        )
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case name, address, port, user
        case privateKeyFile = "private_key_file"
        case daemonName = "daemon_name"
        case daemonHome = "daemon_home"
        case nodeRPC = "node_rpc"
        case agentPath = "agent_path"
        case role, groups, vars
    }

    /// Encodes every accessor under its stable key, then `groups` and `vars`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address, forKey: .address)
        try container.encode(port, forKey: .port)
        try container.encode(user, forKey: .user)
        try container.encode(privateKeyFile, forKey: .privateKeyFile)
        try container.encode(daemonName, forKey: .daemonName)
        try container.encode(daemonHome, forKey: .daemonHome)
        try container.encode(nodeRPC, forKey: .nodeRPC)
        try container.encode(agentPath, forKey: .agentPath)
        try container.encode(role, forKey: .role)
        try container.encode(groups, forKey: .groups)
        try container.encode(vars, forKey: .vars)
    }

    /// Decodes `name`, `groups` and `vars` and validates them like ``init(name:groups:vars:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: container.decode(String.self, forKey: .name),
            groups: container.decodeIfPresent([String].self, forKey: .groups) ?? [],
            vars: container.decodeIfPresent([String: String].self, forKey: .vars) ?? [:]
        )
    }
}
