import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("CosmovisorLayout", .tags(.pure))
struct CosmovisorLayoutTests {
    let layout = CosmovisorLayout(home: "/foo", daemonName: "myd")

    /// Upstream TestConfigPaths: path helpers escape but do not recase.
    @Test(
        "TestConfigPaths",
        arguments: [
            ("myUpgrade", "/foo/cosmovisor/upgrades/myUpgrade/bin/myd"),
            ("some spaces", "/foo/cosmovisor/upgrades/some%20spaces/bin/myd"),
            ("V2", "/foo/cosmovisor/upgrades/V2/bin/myd"),
        ]
    )
    func configPaths(name: String, binary: String) throws {
        #expect(layout.root == "/foo/cosmovisor")
        #expect(layout.genesisBinary == "/foo/cosmovisor/genesis/bin/myd")
        let upgrade = try UpgradeName(name, recase: false)
        #expect(layout.upgradeBinary(for: upgrade) == binary)
        #expect(layout.upgradeInfoFile == "/foo/data/upgrade-info.json")
    }

    @Test("every path of the tree")
    func everyPath() throws {
        let name = try UpgradeName("Chain 2")
        #expect(layout.configFile == "/foo/cosmovisor/config.toml")
        #expect(layout.genesisDirectory == "/foo/cosmovisor/genesis")
        #expect(layout.genesisBinDirectory == "/foo/cosmovisor/genesis/bin")
        #expect(layout.upgradesDirectory == "/foo/cosmovisor/upgrades")
        #expect(layout.upgradeDirectory(for: name) == "/foo/cosmovisor/upgrades/chain%202")
        #expect(layout.upgradeRecord(for: name) == "/foo/cosmovisor/upgrades/chain%202/upgrade-info.json")
        #expect(layout.linkTarget(for: name) == "upgrades/chain%202")
        #expect(layout.current == "/foo/cosmovisor/current")
        #expect(layout.currentBinary == "/foo/cosmovisor/current/bin/myd")
        #expect(layout.currentUpgradeRecord == "/foo/cosmovisor/current/upgrade-info.json")
        #expect(layout.binary(forLinkTarget: "upgrades/v2") == "/foo/cosmovisor/upgrades/v2/bin/myd")
        #expect(layout.dataDirectory == "/foo/data")
        #expect(layout.batchFile == "/foo/data/upgrade-info.json.batch")
        #expect(layout.privValidatorKeyFile == "/foo/config/priv_validator_key.json")
        #expect(layout.nodeConfigFile == "/foo/config/config.toml")
        #expect(layout.agentDirectory == "/foo/cosmovisor/.node-agent")
        #expect(layout.stateFile == "/foo/cosmovisor/.node-agent/state.json")
        #expect(layout.pidFile == "/foo/cosmovisor/.node-agent/agent.pid")
        #expect(layout.manualUpgradesFile == "/foo/cosmovisor/.node-agent/manual-upgrades.json")
    }
}
