import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("Inventory host model and JSON", .tags(.pure))
struct InventoryHostTests {
    @Test("defaults when nothing is set")
    func defaults() throws {
        let host = try InventoryHost(name: "n1")
        #expect(host.address == "n1")
        #expect(host.port == 22)
        #expect(host.user == nil)
        #expect(host.privateKeyFile == nil)
        #expect(host.daemonName == nil)
        #expect(host.daemonHome == nil)
        #expect(host.nodeRPC == "http://127.0.0.1:26657")
        #expect(host.agentPath == nil)
        #expect(host.role == .full)
        #expect(host.isMember(of: "all"))
        #expect(!host.isMember(of: "validators"))
    }

    @Test(
        "role: fleet_role wins, then validators, then sentries, else full",
        arguments: [
            (["validators"], nil, InventoryHost.Role.validator),
            (["sentries"], nil, .sentry),
            (["sentries", "validators"], nil, .validator),
            (["rpc"], nil, .full),
            (["validators"], "full", .full),
            (["rpc"], "sentry", .sentry),
            (["rpc"], "", .full),
        ] as [([String], String?, InventoryHost.Role)]
    )
    func role(groups: [String], fleetRole: String?, expected: InventoryHost.Role) throws {
        let vars = fleetRole.map { ["fleet_role": $0] } ?? [:]
        #expect(try InventoryHost(name: "n", groups: groups, vars: vars).role == expected)
    }

    @Test("ansible_private_key_file is the fallback for ansible_ssh_private_key_file; empty means unset")
    func keyFile() throws {
        #expect(try InventoryHost(name: "n", vars: ["ansible_private_key_file": "/k2"]).privateKeyFile == "/k2")
        let both = try InventoryHost(
            name: "n", vars: ["ansible_private_key_file": "/k2", "ansible_ssh_private_key_file": "/k1"])
        #expect(both.privateKeyFile == "/k1")
        #expect(try InventoryHost(name: "n", vars: ["ansible_user": "", "ansible_host": ""]).user == nil)
        #expect(try InventoryHost(name: "n", vars: ["ansible_host": ""]).address == "n")
    }

    @Test("port validation", arguments: ["0", "65536", "-1", "22a", " 22", "+22", "２２"])
    func invalidPort(value: String) {
        let error = #expect(throws: InventoryError.self) { try InventoryHost(name: "n", vars: ["ansible_port": value]) }
        #expect(error?.code == .invalidPort)
    }

    @Test("valid ports", arguments: [("1", 1), ("65535", 65535), ("0022", 22), ("", 22)])
    func validPort(value: String, expected: Int) throws {
        #expect(try InventoryHost(name: "n", vars: ["ansible_port": value]).port == expected)
    }

    @Test("JSON uses stable snake_case keys, null for unset values, and decodes back")
    func json() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.fleetINI, format: .ini)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let val1 = try #require(inventory.host(named: "val-1"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(val1)) as? [String: Any]
        )
        #expect(
            Set(object.keys) == [
                "name", "address", "port", "user", "private_key_file", "daemon_name", "daemon_home", "node_rpc",
                "agent_path", "role", "groups", "vars",
            ])
        #expect(object["private_key_file"] is NSNull)
        #expect(object["role"] as? String == "validator")
        #expect(object["port"] as? Int == 22)
        #expect(object["node_rpc"] as? String == "http://127.0.0.1:26657")

        let data = try encoder.encode(inventory)
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(top.keys) == ["hosts", "groups"])
        let groups = try #require(top["groups"] as? [String: [String: Any]])
        #expect(Set(groups["osmosis"]?.keys.map { $0 } ?? []) == ["name", "hosts", "children", "vars"])
        #expect(try JSONDecoder().decode(Inventory.self, from: data) == inventory)
    }

    @Test("decoding validates like the initializer")
    func decodingValidates() {
        let json = Data(#"{"name": "n", "groups": [], "vars": {"ansible_port": "0"}}"#.utf8)
        #expect(throws: InventoryError.self) { try JSONDecoder().decode(InventoryHost.self, from: json) }
    }
}
