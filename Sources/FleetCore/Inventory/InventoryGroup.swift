/// One inventory group as written: its direct hosts, child groups and variables.
///
/// ``vars`` holds the group's own variables after its `group_vars/<name>` file is applied (the file
/// wins over inline variables); inherited variables are resolved per host, in ``InventoryHost/vars``.
public struct InventoryGroup: Sendable, Hashable, Codable {
    /// The group's name (`all`, `ungrouped`, `validators` …).
    public let name: String
    /// Hosts listed directly in this group, in inventory order (hosts of child groups are not repeated).
    public let hosts: [String]
    /// Direct child groups, in the order they were declared.
    public let children: [String]
    /// The group's own variables (inline, then its `group_vars` file on top).
    public let vars: [String: String]

    /// Creates a group.
    public init(name: String, hosts: [String] = [], children: [String] = [], vars: [String: String] = [:]) {
        self.name = name
        self.hosts = hosts
        self.children = children
        self.vars = vars
    }

    private enum CodingKeys: String, CodingKey {
        case name, hosts, children, vars
    }
}
