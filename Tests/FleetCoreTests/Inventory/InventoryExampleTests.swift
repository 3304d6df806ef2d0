import FleetCore
import FleetTestSupport
import Testing

@Suite("inventory.example at the repository root", .tags(.files))
struct InventoryExampleTests {
    @Test("it loads, with the roles, ranges and overrides its comments describe")
    func loads() throws {
        let inventory = try InventoryLoader.load(path: TestPaths.repositoryRoot + "/inventory.example")
        #expect(
            inventory.hosts.map(\.name) == [
                "sentry-01.eu.example.net", "sentry-02.eu.example.net", "sentry-03.eu.example.net",
                "sentry-04.eu.example.net", "sentry-us", "val-1", "val-2", "rpc-1", "rpc-2",
            ])
        let roles = Dictionary(uniqueKeysWithValues: inventory.hosts.map { ($0.name, $0.role) })
        #expect(roles["sentry-us"] == .sentry)
        #expect(roles["val-1"] == .validator)
        #expect(roles["rpc-1"] == .full)
        #expect(roles["rpc-2"] == .sentry, "fleet_role overrides group membership")
        #expect(inventory.hosts.allSatisfy { $0.daemonName == "gaiad" && $0.daemonHome == "/home/gaia/.gaia" })
        #expect(inventory.hosts.allSatisfy { $0.agentPath == "/usr/local/bin/node-agent" })

        let val = try #require(inventory.host(named: "val-2"))
        #expect(val.user == "validator")
        #expect(val.privateKeyFile == "~/.ssh/fleet-validators")
        #expect(val.vars["moniker"] == "Example Validator 2 (backup)")
        let sentry = try #require(inventory.host(named: "sentry-us"))
        #expect(sentry.address == "203.0.113.20")
        #expect(sentry.port == 2222)
        #expect(sentry.user == "cosmos")
        #expect(inventory.host(named: "rpc-1")?.nodeRPC == "http://10.0.2.10:26657")
        #expect(inventory.host(named: "sentry-01.eu.example.net")?.nodeRPC == "http://127.0.0.1:26657")
        #expect(try inventory.select("cosmoshub:!validators").count == 7)
    }
}
