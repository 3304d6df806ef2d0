import Yams

/// Reads the JSON a dynamic-inventory script prints for `--list`, which is also what
/// `ansible-inventory --list` prints, as Ansible's `script` plugin does.
///
/// The top level maps group names to a group: a list of host names, or a mapping with `hosts` (a list),
/// `vars` (a mapping) and `children` (a list of group names); a mapping with none of those keys is a host
/// of the group's name with those variables. `_meta.hostvars` maps host names to their variables; when
/// `_meta` is absent, the caller's `hostVariables` is asked per host (the script's `--host h`).
/// Parsed through YAML (JSON is YAML) so key order and positions survive.
enum InventoryListingParser {
    /// Whether `text` is such a listing rather than a YAML-format inventory written in JSON: a JSON object
    /// with `_meta`, or whose `all` has `children` or `hosts` as a list.
    static func isListing(_ text: String) -> Bool {
        guard text.drop(while: { $0.isWhitespace }).first == "{",
            let root = try? Yams.compose(yaml: text), case .mapping(let groups) = root
        else { return false }
        if groups["_meta"] != nil { return true }
        guard case .mapping(let all)? = groups["all"] else { return false }
        return [all["children"], all["hosts"]].contains { if case .sequence? = $0 { true } else { false } }
    }

    /// Parses `text`, printed by `source`.
    ///
    /// - Parameters:
    ///   - hostVariables: a host's variables when the listing has no `_meta` (the script's `--host`).
    /// - Throws: ``InventoryError``: `yamlSyntax` for text that is not JSON, `listingShape` naming the group
    ///   or host whose entry Ansible would reject.
    static func parse(
        _ text: String,
        source: String,
        hostVariables: (String) throws(InventoryError) -> [String: InventoryVariable]
    ) throws(InventoryError) -> InventoryDocument {
        var document = InventoryDocument(file: source)
        guard let root = try YAMLInventoryParser.compose(text, file: source) else {
            throw InventoryError(.listingShape, at: .file(source), "printed nothing; expected a JSON object")
        }
        guard case .mapping(let groups) = root else {
            throw YAMLInventoryParser.shapeError(root, path: "", expected: "a JSON object of groups", file: source)
        }
        var meta: [String: Node]?
        var hosts: [String] = []
        var seen: Set<String> = []
        for (key, body) in groups {
            let name = try YAMLInventoryParser.keyString(key, path: "", file: source)
            if name == "_meta" {
                meta = try hostVarsTable(body, source: source)
                continue
            }
            for host in try parseGroup(name, body: body, source: source, into: &document)
            where seen.insert(host).inserted {
                hosts.append(host)
            }
        }
        for host in hosts {
            let vars: [String: InventoryVariable]
            if let meta {
                vars =
                    try meta[host].map { node throws(InventoryError) in
                        node.null != nil
                            ? [:]
                            : try YAMLInventoryParser.variables(node, path: "_meta.hostvars.\(host)", file: source)
                    } ?? [:]
            } else {
                vars = try hostVariables(host)
            }
            if !vars.isEmpty { document.setHostVariables(vars, of: host) }
        }
        return document
    }

    /// Adds one group; returns its hosts.
    private static func parseGroup(
        _ name: String, body: Node, source: String, into document: inout InventoryDocument
    ) throws(InventoryError) -> [String] {
        document.defineGroup(name)
        let location = YAMLInventoryParser.location(of: body, file: source)
        var hostList: Node?
        switch body {
        case .sequence:
            hostList = body
        case .mapping(let sections) where ["hosts", "vars", "children"].contains(where: { sections[$0] != nil }):
            hostList = sections["hosts"]
            if let vars = sections["vars"], vars.null == nil {
                for (key, variable) in try YAMLInventoryParser.variables(vars, path: "\(name).vars", file: source) {
                    document.setGroupVariable(key, variable, in: name)
                }
            }
            if let children = sections["children"], children.null == nil {
                for child in try names(children, path: "\(name).children", source: source) {
                    document.addChild(child, to: name, at: location)
                }
            }
        case .mapping:
            // Ansible's shorthand: a group of one host, named like the group, with these variables.
            let vars = try YAMLInventoryParser.variables(body, path: name, file: source)
            document.addHost(name, to: name, vars: vars)
            return [name]
        default:
            if body.null != nil { return [] }
            throw YAMLInventoryParser.shapeError(
                body, path: name, expected: "a list of hosts or an object with hosts, vars, children", file: source)
        }
        guard let hostList, hostList.null == nil else { return [] }
        let hosts = try names(hostList, path: "\(name).hosts", source: source)
        for host in hosts { document.addHost(host, to: name, vars: [:]) }
        return hosts
    }

    /// A JSON list of names.
    private static func names(_ node: Node, path: String, source: String) throws(InventoryError) -> [String] {
        guard case .sequence(let items) = node else {
            throw YAMLInventoryParser.shapeError(node, path: path, expected: "a list of names", file: source)
        }
        var result: [String] = []
        for item in items {
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                throw YAMLInventoryParser.shapeError(item, path: path, expected: "a list of names", file: source)
            }
            result.append(scalar.string)
        }
        return result
    }

    /// `_meta.hostvars` by host name.
    private static func hostVarsTable(_ node: Node, source: String) throws(InventoryError) -> [String: Node] {
        guard case .mapping(let meta) = node else {
            throw YAMLInventoryParser.shapeError(node, path: "_meta", expected: "an object", file: source)
        }
        guard let hostvars = meta["hostvars"], hostvars.null == nil else { return [:] }
        guard case .mapping(let table) = hostvars else {
            throw YAMLInventoryParser.shapeError(hostvars, path: "_meta.hostvars", expected: "an object", file: source)
        }
        var result: [String: Node] = [:]
        for (key, value) in table {
            result[try YAMLInventoryParser.keyString(key, path: "_meta.hostvars", file: source)] = value
        }
        return result
    }
}
