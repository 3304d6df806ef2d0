/// A parsed and resolved Ansible inventory: hosts in the order first seen, and groups by name.
///
/// Build one with ``InventoryParser/parse(text:format:fileName:)`` (pure) or
/// ``InventoryLoader/load(path:)`` (reads the file plus `group_vars/` and `host_vars/`), then pick hosts
/// with ``select(_:)``:
///
/// ```swift
/// let inventory = try InventoryLoader.load(path: "inventory.ini")
/// for host in try inventory.select("sentries:!sentry-03") {
///     print(host.name, host.address, host.port, host.role)
/// }
/// ```
///
/// Encoded with the keys `hosts` (an array of ``InventoryHost``) and `groups` (name → ``InventoryGroup``).
public struct Inventory: Sendable, Hashable, Codable {
    /// Every host, resolved, in the order it first appears in the inventory.
    public let hosts: [InventoryHost]
    /// Every group by name, including `all` and `ungrouped`.
    public let groups: [String: InventoryGroup]

    /// Creates an inventory from resolved parts.
    public init(hosts: [InventoryHost], groups: [String: InventoryGroup]) {
        self.hosts = hosts
        self.groups = groups
    }

    /// The host called `name`, if any.
    public func host(named name: String) -> InventoryHost? {
        hosts.first { $0.name == name }
    }

    /// The hosts of `group` and of its descendants, in inventory order (empty for an unknown group).
    public func hosts(inGroup group: String) -> [InventoryHost] {
        hosts.filter { $0.isMember(of: group) }
    }

    /// The hosts an Ansible `--limit` pattern selects, in inventory order.
    ///
    /// - Parameter pattern: Ansible pattern syntax, such as `sentries:&osmosis:!sentry-2` (see ``InventoryPattern``).
    /// - Throws: ``InventoryError`` when the pattern is invalid or one of its parts matches nothing.
    public func select(_ pattern: String) throws(InventoryError) -> [InventoryHost] {
        try InventoryPattern(pattern).select(from: self)
    }

    private enum CodingKeys: String, CodingKey {
        case hosts, groups
    }
}
