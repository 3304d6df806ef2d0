import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Each inventory source form, loaded by fleet, gives the hosts, groups and variables the real
/// `ansible-inventory --list` printed for it (Fixtures/expected, made by scripts/regen-inventory-fixtures.sh).
@Suite("Inventory source forms agree with ansible-inventory --list", .tags(.processes))
struct InventorySourceFormsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures"
    ).path

    /// (name, sources relative to Fixtures, expected listing).
    static let forms: [(String, [String], String)] = [
        ("INI file with group_vars/ and host_vars/ directories", ["file/inventory.ini"], "file"),
        ("inventory directory: sorted, ignored names skipped, its group_vars/host_vars", ["directory"], "directory"),
        ("ansible-inventory --list JSON file", ["listing/fleet.json"], "directory"),
        ("python3 dynamic inventory with _meta", ["scripts/inventory.py"], "script-python"),
        ("sh dynamic inventory without _meta (--host per host)", ["scripts/inventory.sh"], "script-sh"),
        ("two sources merged", ["file/inventory.ini", "scripts/inventory.sh"], "comma-list"),
        ("host list", ["node-a,node-b:2201,"], "host-list"),
    ]

    @Test("same hosts, groups and variables as ansible-inventory", arguments: forms)
    func agrees(name: String, sources: [String], expected: String) throws {
        let paths = sources.map { $0.contains(",") ? $0 : Self.fixtures + "/" + $0 }
        let inventory = try InventoryLoader.load(sources: paths)
        let listing = try AnsibleListing(path: Self.fixtures + "/expected/\(expected).json")
        #expect(inventory.hosts.map(\.name).sorted() == listing.hosts.sorted(), "\(name)")
        for host in inventory.hosts {
            #expect(Set(host.groups) == listing.groups(of: host.name), "\(name): groups of \(host.name)")
            #expect(host.vars == listing.variables(of: host.name), "\(name): variables of \(host.name)")
        }
    }

    @Test("ANSIBLE_INVENTORY's comma list resolves to the sources ansible-inventory merged")
    func commaListThroughLocator() throws {
        let list = "\(Self.fixtures)/file/inventory.ini, \(Self.fixtures)/scripts/inventory.sh"
        let location = InventoryLocator.locate(
            options: [],
            environment: .init(
                variables: ["ANSIBLE_INVENTORY": list], currentDirectory: "/", homeDirectory: "/nonexistent",
                exists: { _ in false }, isDirectory: { _ in false }, isWorldWritable: { _ in false },
                read: { _ in nil }))
        let inventory = try InventoryLoader.load(sources: location.sources)
        let listing = try AnsibleListing(path: Self.fixtures + "/expected/comma-list.json")
        #expect(inventory.hosts.map(\.name).sorted() == listing.hosts.sorted())
        for host in inventory.hosts { #expect(host.vars == listing.variables(of: host.name), "\(host.name)") }
    }
}

/// An `ansible-inventory --list` document, read for comparison: values normalised to fleet's text form.
struct AnsibleListing {
    var groups: [String: (hosts: [String], children: [String])] = [:]
    var hostvars: [String: [String: Any]] = [:]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for (name, body) in root {
            let body = body as? [String: Any] ?? [:]
            if name == "_meta" {
                hostvars = body["hostvars"] as? [String: [String: Any]] ?? [:]
            } else {
                groups[name] = (body["hosts"] as? [String] ?? [], body["children"] as? [String] ?? [])
            }
        }
    }

    var hosts: [String] { Array(Set(groups.values.flatMap(\.hosts))) }

    /// Every group holding `host` directly or through children, except `all` (Ansible's `group_names`).
    func groups(of host: String) -> Set<String> {
        var result = Set(groups.filter { $0.value.hosts.contains(host) }.keys)
        var changed = true
        while changed {
            changed = false
            for (name, group) in groups where !result.contains(name) && group.children.contains(where: result.contains)
            {
                result.insert(name)
                changed = true
            }
        }
        result.remove("all")
        return result
    }

    /// The host's variables as fleet keeps them: scalars as text, lists in flow style (`[a, b]`).
    func variables(of host: String) -> [String: String] {
        (hostvars[host] ?? [:]).mapValues(Self.text)
    }

    static func text(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case let list as [Any]: return "[" + list.map(text).joined(separator: ", ") + "]"
        case let map as [String: Any]:
            return "{" + map.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ")
                + "}"
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: return "\(value)"
        }
    }
}
