/// An inventory as written, before resolution: what the INI and YAML parsers produce.
///
/// It keeps hosts and groups in the order they are first seen, the inline variables with their source
/// locations, and the `children` edges with the line that declared them (for cycle errors).
/// ``InventoryResolver`` turns it, plus any `group_vars`/`host_vars` files, into an ``Inventory``.
struct InventoryDocument: Sendable {
    /// A `children` edge and where it was declared.
    struct ChildLink: Sendable, Hashable {
        var name: String
        var location: InventorySourceLocation
    }

    /// A group as written: direct hosts, children and inline variables.
    struct Group: Sendable {
        var name: String
        var hosts: [String] = []
        var children: [ChildLink] = []
        var vars: [String: InventoryVariable] = [:]
    }

    /// The file the document came from, for error messages.
    var file: String
    private(set) var hostOrder: [String] = []
    private(set) var hostVars: [String: [String: InventoryVariable]] = [:]
    private(set) var groupOrder: [String] = []
    private(set) var groups: [String: Group] = [:]
    /// Host → the groups that list it directly, in order; kept so membership checks stay O(1)-ish
    /// for inventories of thousands of hosts (a host is in few groups, a group may hold thousands).
    private(set) var directGroups: [String: [String]] = [:]

    init(file: String) {
        self.file = file
        defineGroup("all")
        defineGroup("ungrouped")
    }

    /// Makes sure a group exists (Ansible creates groups on first mention).
    mutating func defineGroup(_ name: String) {
        guard groups[name] == nil else { return }
        groups[name] = Group(name: name)
        groupOrder.append(name)
    }

    /// Adds `host` to `group` (once) and sets its inline variables; later assignments win.
    mutating func addHost(_ host: String, to group: String, vars: [String: InventoryVariable]) {
        defineGroup(group)
        if hostVars[host] == nil {
            hostVars[host] = [:]
            hostOrder.append(host)
        }
        if !(directGroups[host]?.contains(group) ?? false) {
            directGroups[host, default: []].append(group)
            groups[group]?.hosts.append(host)
        }
        hostVars[host]?.merge(vars) { _, new in new }
    }

    /// Declares `child` a child group of `parent`, creating both if needed.
    mutating func addChild(_ child: String, to parent: String, at location: InventorySourceLocation) {
        defineGroup(parent)
        defineGroup(child)
        if !(groups[parent]?.children.contains { $0.name == child } ?? false) {
            groups[parent]?.children.append(ChildLink(name: child, location: location))
        }
    }

    /// Sets one inline group variable; later assignments win.
    mutating func setGroupVariable(_ key: String, _ variable: InventoryVariable, in group: String) {
        defineGroup(group)
        groups[group]?.vars[key] = variable
    }
}

extension InventoryDocument {
    /// Removes `hosts` from `group`'s direct host list.
    mutating func removeHosts(_ hosts: Set<String>, from group: String) {
        groups[group]?.hosts.removeAll { hosts.contains($0) }
        for host in hosts {
            directGroups[host]?.removeAll { $0 == group }
        }
    }
}

extension InventoryDocument {
    /// Sets variables of a host already added; later assignments win.
    mutating func setHostVariables(_ vars: [String: InventoryVariable], of host: String) {
        hostVars[host]?.merge(vars) { _, new in new }
    }

    /// Adds everything `other` declares, as Ansible adds a later inventory source to the same inventory:
    /// groups, children and hosts are unioned, and variables `other` sets win.
    mutating func merge(_ other: InventoryDocument) {
        for name in other.groupOrder {
            defineGroup(name)
            guard let group = other.groups[name] else { continue }
            for child in group.children { addChild(child.name, to: name, at: child.location) }
            for (key, variable) in group.vars { setGroupVariable(key, variable, in: name) }
        }
        for host in other.hostOrder {
            let groups = other.directGroups[host] ?? ["ungrouped"]
            for (index, group) in groups.enumerated() {
                addHost(host, to: group, vars: index == 0 ? other.hostVars[host] ?? [:] : [:])
            }
        }
    }
}
