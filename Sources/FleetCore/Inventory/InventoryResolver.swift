/// Turns an ``InventoryDocument`` and its variable files into a resolved ``Inventory``.
///
/// Steps, as Ansible's inventory manager does them:
/// 1. groups that are nobody's child become children of `all`; hosts in no group but `all` join `ungrouped`;
/// 2. a `children` cycle is an error;
/// 3. each group's depth is its longest `children` path from `all`;
/// 4. each host's variables are layered, later winning (Ansible's `VARIABLE_PRECEDENCE`):
///    `all` inline < other groups inline < `group_vars/all` < other `group_vars` files < host inline <
///    `host_vars` file, where "other groups" are the host's groups sorted by depth, then
///    `ansible_group_priority` (default 1), then name;
/// 5. `ansible_port` and `fleet_role` are validated where they were set, and so are templates and
///    node paths (``InventoryHost/fleetVariables``, ``NodePath``).
struct InventoryResolver {
    private var document: InventoryDocument
    private let groupFiles: [String: [String: InventoryVariable]]
    private let hostFiles: [String: [String: InventoryVariable]]
    private var parents: [String: [String]] = [:]
    private var depths: [String: Int] = [:]
    /// Each group with all its ancestors, computed once.
    private var lineage: [String: Set<String>] = [:]

    /// Resolves `document`; `groupFiles` and `hostFiles` hold `group_vars`/`host_vars` contents by name.
    static func resolve(
        _ document: InventoryDocument,
        groupFiles: [String: [String: InventoryVariable]] = [:],
        hostFiles: [String: [String: InventoryVariable]] = [:]
    ) throws(InventoryError) -> Inventory {
        var resolver = InventoryResolver(document: document, groupFiles: groupFiles, hostFiles: hostFiles)
        return try resolver.run()
    }

    private init(
        document: InventoryDocument,
        groupFiles: [String: [String: InventoryVariable]],
        hostFiles: [String: [String: InventoryVariable]]
    ) {
        self.document = document
        self.groupFiles = groupFiles
        self.hostFiles = hostFiles
    }

    private mutating func run() throws(InventoryError) -> Inventory {
        reconcile()
        try checkCycles()
        computeDepths()
        for name in document.groupOrder {
            var result: Set<String> = []
            ancestors(of: name, into: &result)
            lineage[name] = result
        }
        let hosts = try document.hostOrder.map { host throws(InventoryError) in try resolveHost(host) }
        var groups: [String: InventoryGroup] = [:]
        for name in document.groupOrder {
            guard let group = document.groups[name] else { continue }
            var vars = group.vars.mapValues(\.value)
            vars.merge((groupFiles[name] ?? [:]).mapValues(\.value)) { _, file in file }
            groups[name] = InventoryGroup(
                name: name, hosts: group.hosts, children: group.children.map(\.name), vars: vars
            )
        }
        return Inventory(hosts: hosts, groups: groups)
    }

    // MARK: - Structure

    private mutating func reconcile() {
        let top = InventorySourceLocation.file(document.file)
        for name in document.groupOrder {
            for child in document.groups[name]?.children ?? [] {
                parents[child.name, default: []].append(name)
            }
        }
        for name in document.groupOrder where name != "all" && parents[name] == nil {
            document.addChild(name, to: "all", at: top)
            parents[name] = ["all"]
        }
        var grouped: Set<String> = []
        for name in document.groupOrder where name != "all" && name != "ungrouped" {
            grouped.formUnion(document.groups[name]?.hosts ?? [])
        }
        for host in document.hostOrder where !grouped.contains(host) {
            document.addHost(host, to: "ungrouped", vars: [:])
        }
        // Like Ansible, a host listed before any section but also in a real group leaves `ungrouped`.
        document.removeHosts(grouped, from: "ungrouped")
    }

    private func checkCycles() throws(InventoryError) {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        func visit(_ name: String, path: [String]) throws(InventoryError) {
            marks[name] = .visiting
            for child in document.groups[name]?.children ?? [] {
                switch marks[child.name] {
                case .visiting:
                    let start = path.firstIndex(of: child.name) ?? 0
                    let cycle = (path[start...] + [name, child.name]).joined(separator: " → ")
                    throw InventoryError(.childCycle, at: child.location, "groups form a children cycle: \(cycle)")
                case .done:
                    continue
                case nil:
                    try visit(child.name, path: path + [name])
                }
            }
            marks[name] = .done
        }
        for name in document.groupOrder where marks[name] == nil {
            try visit(name, path: [])
        }
    }

    private mutating func computeDepths() {
        var depths: [String: Int] = ["all": 0]
        func depth(_ name: String) -> Int {
            if let known = depths[name] { return known }
            let value = (parents[name] ?? ["all"]).map { depth($0) + 1 }.max() ?? 1
            depths[name] = value
            return value
        }
        for name in document.groupOrder { _ = depth(name) }
        self.depths = depths
    }

    /// The group and all its ancestors.
    private func ancestors(of name: String, into result: inout Set<String>) {
        guard result.insert(name).inserted else { return }
        for parent in parents[name] ?? [] { ancestors(of: parent, into: &result) }
    }

    // MARK: - Hosts

    private func resolveHost(_ host: String) throws(InventoryError) -> InventoryHost {
        var memberOf: Set<String> = []
        for name in document.directGroups[host] ?? [] {
            memberOf.formUnion(lineage[name] ?? [name])
        }
        memberOf.remove("all")
        let ordered = memberOf.sorted { lhs, rhs in
            let left = (depths[lhs] ?? 1, priority(of: lhs), lhs)
            let right = (depths[rhs] ?? 1, priority(of: rhs), rhs)
            return left < right
        }

        var vars: [String: InventoryVariable] = document.groups["all"]?.vars ?? [:]
        func layer(_ more: [String: InventoryVariable]?) {
            vars.merge(more ?? [:]) { _, new in new }
        }
        for group in ordered { layer(document.groups[group]?.vars) }
        layer(groupFiles["all"])
        for group in ordered { layer(groupFiles[group]) }
        layer(document.hostVars[host])
        layer(hostFiles[host])

        let groups = memberOf.sorted()
        if let port = vars["ansible_port"], InventoryHost.port(from: port.value) == nil {
            throw InventoryHost.invalidPort(host: host, value: port.value, at: port.location)
        }
        let role = vars["fleet_role"]
        if InventoryHost.role(from: role?.value, groups: groups) == nil, let role {
            throw InventoryHost.invalidRole(host: host, value: role.value, at: role.location)
        }
        if let problem = InventoryHost.unusableVariable(host: host, vars: vars.mapValues(\.value)) {
            throw InventoryHost.unusable(problem.error, at: vars[problem.variable]?.location ?? .file(document.file))
        }
        return try InventoryHost(name: host, groups: groups, vars: vars.mapValues(\.value))
    }

    /// `ansible_group_priority` from the group's inline variables (Ansible reads it nowhere else), default 1.
    private func priority(of group: String) -> Int {
        document.groups[group]?.vars["ansible_group_priority"].flatMap { Int($0.value) } ?? 1
    }
}
