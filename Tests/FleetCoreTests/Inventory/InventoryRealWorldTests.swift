import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("Real-world inventory shapes", .tags(.processes))
struct InventoryRealWorldTests {
    @Test("Polkachu style: one group per chain, `type` host vars, quoted Jinja in [all:vars]")
    func polkachu() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.polkachuINI, fileName: "inventory.ini")
        #expect(
            inventory.hosts.map(\.name) == ["juno_main", "juno_backup", "juno_relayer", "osmosis_main", "osmosis_test"])
        #expect(inventory.hosts.map { $0.vars["type"] ?? "" } == ["main", "backup", "relayer", "main", "test"])
        #expect(inventory.hosts(inGroup: "juno").map(\.name) == ["juno_main", "juno_backup", "juno_relayer"])
        let relayer = try #require(inventory.host(named: "juno_relayer"))
        #expect(relayer.address == "10.0.0.3")
        #expect(relayer.user == "ubuntu")
        #expect(relayer.port == 22)
        #expect(relayer.privateKeyFile == "~/.ssh/id_rsa")
        #expect(relayer.vars["prepare"] == "false")
        #expect(relayer.vars["var_file"] == "vars/{{ group_names[0] }}.yml")
        #expect(
            relayer.vars["path"] == "/home/{{ ansible_user }}/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin")
        #expect(inventory.hosts.allSatisfy { $0.role == .full }, "no validators/sentries groups and no fleet_role")
        #expect(try inventory.select("juno:&~.*_main").map(\.name) == ["juno_main"])
    }

    @Test("Hypha style: YAML all → children → node, chain settings in all.vars")
    func hypha() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.hyphaYAML, fileName: "inventory.yml")
        #expect(
            inventory.hosts.map(\.name) == [
                "sentry-01.theta.example.org", "validator-01.theta.example.org", "sync-01.theta.example.org",
            ])
        #expect(inventory.groups["node"]?.hosts.count == 3)
        #expect(inventory.groups["all"]?.children == ["node", "ungrouped"])
        let validator = try #require(inventory.host(named: "validator-01.theta.example.org"))
        #expect(validator.role == .validator)
        #expect(validator.address == "10.10.0.5")
        #expect(validator.user == "root")
        #expect(validator.vars["chain_validator_voting_power"] == "100")
        #expect(validator.vars["chain_id"] == "theta-testnet-001")
        #expect(validator.vars["cosmovisor_skip_backup"] == "yes")
        let sync = try #require(inventory.host(named: "sync-01.theta.example.org"))
        #expect(sync.vars["persistent_peers"] == "[abc@1.2.3.4:26656, def@5.6.7.8:26656]")
        #expect(sync.vars["chain_gas_price"] == "0.0025uatom")
        #expect(sync.vars["moniker"] == "")
        #expect(sync.role == .full)
        #expect(sync.groups == ["node"])
    }

    @Test("children three deep: the deepest group's value wins, ancestors are all listed")
    func nested() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.nestedINI, format: .ini)
        let n1 = try #require(inventory.host(named: "n1"))
        #expect(n1.groups == ["rack1", "region", "zone-a"])
        #expect(n1.vars["tier"] == "rack")
        #expect(n1.vars["region_only"] == "yes")
        #expect(inventory.host(named: "n2")?.vars["tier"] == "host")
        #expect(inventory.host(named: "n3")?.vars["tier"] == "zone")
        #expect(inventory.hosts(inGroup: "region").map(\.name) == ["n1", "n2", "n3"])
        #expect(inventory.groups["all"]?.children == ["ungrouped", "region"])
        #expect(inventory.groups["zone-a"]?.children == ["rack1", "rack2"])
    }

    @Test("a host in two groups: variables of both lines merge, role from validators, same-depth groups by name")
    func twoGroups() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.twoGroupsINI, format: .ini)
        #expect(inventory.hosts.map(\.name) == ["val-1", "juno-sentry"])
        let val = try #require(inventory.host(named: "val-1"))
        #expect(val.groups == ["juno", "osmosis", "validators"])
        #expect(val.vars["chain"] == "juno")
        #expect(val.vars["extra"] == "from osmosis")
        #expect(val.address == "10.0.0.1")
        #expect(val.daemonName == "osmosisd", "osmosis sorts after juno at the same depth, so it wins")
        #expect(val.role == .validator)
        #expect(inventory.host(named: "juno-sentry")?.daemonName == "junod")
        #expect(inventory.host(named: "juno-sentry")?.role == .full)
    }

    @Test("ansible_port per host (also host:port) and ansible_user per group, host line winning")
    func portsAndUsers() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.portsAndUsersINI, format: .ini)
        let rows = inventory.hosts.map { "\($0.name) \($0.user ?? "-")@\($0.port) \($0.role.rawValue)" }
        #expect(
            rows == [
                "s1 sentry@2222 sentry", "s2 sentry@22 sentry", "s3 sentry@2200 sentry",
                "v1 root@22022 validator", "v2 val@22 validator",
            ])
    }

    @Test("the sandbox inventory (sample of scripts/sandbox.py) parses with the right roles")
    func sandboxSample() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.sandboxINI, fileName: "inventory.ini")
        #expect(inventory.hosts.map(\.name) == ["sentry-1", "sentry-2", "validator-1"])
        #expect(inventory.hosts.map(\.role) == [.sentry, .sentry, .validator])
        let validator = try #require(inventory.host(named: "validator-1"))
        #expect(validator.address == "127.150.3.3")
        #expect(validator.port == 22022)
        #expect(validator.user == "fleet")
        #expect(validator.privateKeyFile == "/tmp/sb/client_key")
        #expect(validator.daemonName == "mockchaind")
        #expect(validator.daemonHome == "/tmp/sb/nodes/validator-1/home")
        #expect(validator.nodeRPC == "http://127.150.3.3:26657")
    }

    @Test("scripts/sandbox.py write_inventory output itself loads with the right roles", .timeLimit(.minutes(1)))
    func sandboxScript() throws {
        let root = try TestPaths.makeTemporaryDirectory("fleet-inventory")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let node = { (name: String, role: String, index: Int) in
            "{'name': '\(name)', 'role': '\(role)', 'host': '127.1.2.\(index)', 'port': 22022, "
                + "'home': '\(root)/nodes/\(name)/home', 'rpc': 'http://127.1.2.\(index):26657'}"
        }
        let nodes = [node("sentry-1", "sentry", 1), node("sentry-2", "sentry", 2), node("validator-1", "validator", 3)]
        let script = """
            import sys; sys.path.insert(0, sys.argv[1]); import sandbox
            print(sandbox.write_inventory(sys.argv[2], {'user': 'fleet', 'client_key': sys.argv[2] + '/client_key', \
            'nodes': [\(nodes.joined(separator: ", "))]}))
            """
        let result = try ProcessRunner.run(["python3", "-c", script, TestPaths.scripts, root])
        #expect(result.exitCode == 0, "\(result.errorOutput)")
        let path = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let inventory = try InventoryLoader.load(path: path)
        #expect(inventory.hosts.map(\.name) == ["sentry-1", "sentry-2", "validator-1"])
        #expect(inventory.hosts.map(\.role) == [.sentry, .sentry, .validator])
        #expect(inventory.hosts.map(\.port) == [22022, 22022, 22022])
        #expect(inventory.hosts.allSatisfy { $0.daemonName == "mockchaind" && $0.user == "fleet" })
        #expect(inventory.host(named: "sentry-2")?.daemonHome == "\(root)/nodes/sentry-2/home")
    }
}
