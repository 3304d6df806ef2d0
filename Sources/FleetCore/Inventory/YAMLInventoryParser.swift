import Foundation
import Yams

/// Reads Ansible's YAML inventory format into an ``InventoryDocument``, and `group_vars`/`host_vars` files.
///
/// The top level maps group names (usually just `all`) to a group body; a body is empty (`node:`) or a
/// mapping with `hosts` (host name → empty or a mapping of variables), `vars` and `children` (group name
/// → body, nested to any depth). Scalars keep their text (`2222`, `yes`), a null variable is the empty
/// string, and lists or mappings used as variable values become flow YAML (`[a, b]`). Keys other than
/// `hosts`, `vars` and `children` in a group body are errors (Ansible only warns; a typo such as
/// `childen:` would silently drop hosts).
enum YAMLInventoryParser {
    /// Parses YAML `text`; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(InventoryError) -> InventoryDocument {
        var document = InventoryDocument(file: file)
        guard let root = try compose(text, file: file) else { return document }
        guard case .mapping(let groups) = root else {
            throw shapeError(root, path: "", expected: "a mapping of group names (such as 'all:')", file: file)
        }
        for (key, body) in groups {
            let name = try keyString(key, path: "", file: file)
            try parseGroup(name, body: body, parent: nil, path: name, file: file, into: &document)
        }
        return document
    }

    /// Parses a `group_vars`/`host_vars` file: a mapping of variables, or an empty file.
    static func variables(_ text: String, file: String) throws(InventoryError) -> [String: InventoryVariable] {
        guard let root = try compose(text, file: file) else { return [:] }
        if root.null != nil { return [:] }
        return try variables(root, path: "", file: file)
    }

    // MARK: - Groups

    private static func parseGroup(
        _ name: String,
        body: Node,
        parent: (name: String, location: InventorySourceLocation)?,
        path: String,
        file: String,
        into document: inout InventoryDocument
    ) throws(InventoryError) {
        document.defineGroup(name)
        if let parent {
            document.addChild(name, to: parent.name, at: parent.location)
        }
        if body.null != nil { return }
        guard case .mapping(let sections) = body else {
            throw shapeError(body, path: path, expected: "a group (a mapping with hosts, vars or children)", file: file)
        }
        for (key, value) in sections {
            let section = try keyString(key, path: path, file: file)
            let sectionPath = "\(path).\(section)"
            switch section {
            case "hosts":
                if value.null != nil { continue }
                guard case .mapping(let hosts) = value else {
                    throw shapeError(value, path: sectionPath, expected: "a mapping of host names", file: file)
                }
                for (hostKey, hostBody) in hosts {
                    let pattern = try keyString(hostKey, path: sectionPath, file: file)
                    let hostPath = "\(sectionPath).\(pattern)"
                    var vars = hostBody.null != nil ? [:] : try variables(hostBody, path: hostPath, file: file)
                    let (hostPattern, port) = InventoryHostRange.splitPort(pattern)
                    if let port, vars["ansible_port"] == nil {
                        vars["ansible_port"] = InventoryVariable(
                            value: port, location: location(of: hostKey, file: file))
                    }
                    for host in try InventoryHostRange.expand(hostPattern, at: location(of: hostKey, file: file)) {
                        document.addHost(host, to: name, vars: vars)
                    }
                }
            case "vars":
                if value.null != nil { continue }
                for (key, variable) in try variables(value, path: sectionPath, file: file) {
                    document.setGroupVariable(key, variable, in: name)
                }
            case "children":
                if value.null != nil { continue }
                guard case .mapping(let children) = value else {
                    throw shapeError(value, path: sectionPath, expected: "a mapping of group names", file: file)
                }
                for (childKey, childBody) in children {
                    let child = try keyString(childKey, path: sectionPath, file: file)
                    try parseGroup(
                        child, body: childBody, parent: (name, location(of: childKey, file: file)),
                        path: "\(sectionPath).\(child)", file: file, into: &document
                    )
                }
            default:
                throw InventoryError(
                    .yamlShape, at: location(of: key, file: file),
                    "unexpected key '\(section)' in group '\(path)'; a group has only hosts, vars and children"
                )
            }
        }
    }

    // MARK: - Variables

    static func variables(
        _ node: Node, path: String, file: String
    ) throws(InventoryError)
        -> [String: InventoryVariable]
    {
        guard case .mapping(let mapping) = node else {
            let what = path.isEmpty ? "a mapping of variables" : "a mapping of variables at '\(path)'"
            throw shapeError(node, path: "", expected: what, file: file)
        }
        var result: [String: InventoryVariable] = [:]
        for (key, value) in mapping {
            let name = try keyString(key, path: path, file: file)
            if name == "<<" {
                // A YAML merge key (`<<: *defaults`): its variables, overridden by the explicit ones.
                let merged = try variables(value, path: path, file: file)
                result.merge(merged) { current, _ in current }
                continue
            }
            result[name] = InventoryVariable(value: render(value), location: location(of: key, file: file))
        }
        return result
    }

    /// A variable's value as text: scalars as written, null as `""`, collections as flow YAML.
    private static func render(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return node.null != nil && scalar.style == .plain ? "" : scalar.string
        case .sequence(let sequence):
            return "[" + sequence.map(renderNested).joined(separator: ", ") + "]"
        case .mapping(let mapping):
            return "{" + mapping.map { "\(renderNested($0.key)): \(renderNested($0.value))" }.joined(separator: ", ")
                + "}"
        case .alias:
            return ""
        }
    }

    private static func renderNested(_ node: Node) -> String {
        guard case .scalar(let scalar) = node else { return render(node) }
        let text = scalar.string
        let plain =
            !text.isEmpty && !text.hasSuffix(":") && !text.contains(": ")
            && text.allSatisfy { $0.isLetter || $0.isNumber || "._-/@+:".contains($0) }
        return plain
            ? text
            : "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
    }

    // MARK: - Helpers

    static func compose(_ text: String, file: String) throws(InventoryError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw InventoryError(.yamlSyntax, at: .file(file), "cannot read YAML: \(error)")
        }
    }

    private static func syntaxError(_ error: YamlError, file: String) -> InventoryError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return InventoryError(
                .yamlSyntax, at: InventorySourceLocation(file: file, line: mark.line, column: mark.column),
                "YAML syntax error: \(prefix)\(problem)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return InventoryError(
                .yamlSyntax,
                at: InventorySourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "duplicate key \(keys) in one mapping"
            )
        default:
            return InventoryError(.yamlSyntax, at: .file(file), "cannot read YAML: \(error)")
        }
    }

    static func keyString(_ key: Node, path: String, file: String) throws(InventoryError) -> String {
        guard case .scalar(let scalar) = key, !scalar.string.isEmpty else {
            let place = path.isEmpty ? "at the top level" : "in '\(path)'"
            throw InventoryError(.yamlShape, at: location(of: key, file: file), "expected a name as key \(place)")
        }
        return scalar.string
    }

    static func location(of node: Node, file: String) -> InventorySourceLocation {
        guard let mark = node.mark else { return .file(file) }
        return InventorySourceLocation(file: file, line: mark.line, column: mark.column)
    }

    static func shapeError(_ node: Node, path: String, expected: String, file: String) -> InventoryError {
        let found: String
        switch node {
        case .scalar: found = "a scalar '\(node.string ?? "")'"
        case .sequence: found = "a list"
        case .mapping: found = "a mapping"
        case .alias: found = "an alias"
        }
        let place = path.isEmpty ? "" : "'\(path)' must be "
        let sentence = place.isEmpty ? "expected \(expected), found \(found)" : "\(place)\(expected), found \(found)"
        return InventoryError(.yamlShape, at: location(of: node, file: file), sentence)
    }
}
