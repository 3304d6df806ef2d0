import FleetCore
import FleetTestSupport
import Testing

/// Names, checksums and target paths are settled before any node is contacted.
@Suite(.tags(.pure)) struct StageRequestTests {
    @Test(arguments: [
        "..", ".", "a/b", "/abs", "", String(repeating: "x", count: 300), "v2\u{1B}[31m", "v2\n", "a\u{0}b",
    ])
    func hostileNamesAreRefused(name: String) {
        #expect(throws: StageError(.invalidName, "")) { try StageRequest.checkedName(name) }
    }

    @Test(arguments: ["v2", "V2.1-Fix", "v2 fix", "upgrade_ü"]) func ordinaryNamesPass(name: String) throws {
        #expect(try StageRequest.checkedName(name) == name)
    }

    @Test func checksumsAreSixtyFourHexDigits() throws {
        let hex = String(repeating: "Ab", count: 32)
        #expect(try StageRequest.checkedSHA256(hex) == hex.lowercased())
        #expect(throws: StageError(.invalidChecksum, "")) { try StageRequest.checkedSHA256("abc") }
        #expect(throws: StageError(.invalidChecksum, "")) {
            try StageRequest.checkedSHA256(String(repeating: "g", count: 64))
        }
    }

    static func host(_ vars: [String: String]) throws -> InventoryHost {
        try InventoryHost(name: "node-1", vars: vars)
    }

    @Test func targetPathsFollowTheAgentsDirectoryMapping() throws {
        let base = ["daemon_home": "/home/n", "daemon_name": "gaiad"]
        let request = StageRequest(
            destination: .upgrade("V2 Fix"), source: .file(path: "x"), sha256: "", bytes: 1, force: false)
        #expect(try request.targetPath(for: Self.host(base)).get() == "/home/n/cosmovisor/upgrades/v2%20fix/bin/gaiad")
        var raw = base
        raw["cosmovisor_disable_recase"] = "true"
        #expect(try request.targetPath(for: Self.host(raw)).get() == "/home/n/cosmovisor/upgrades/V2%20Fix/bin/gaiad")
        let genesis = StageRequest(destination: .genesis, source: .file(path: "x"), sha256: "", bytes: 1, force: false)
        #expect(try genesis.targetPath(for: Self.host(base)).get() == "/home/n/cosmovisor/genesis/bin/gaiad")
        let missing = request.targetPath(for: try Self.host(["daemon_home": "/home/n"]))
        #expect(throws: StageError(.missingVariable, "")) { try missing.get() }
        #expect((try? missing.get()) == nil)
        if case .failure(let error) = missing {
            #expect(error.message == "daemon_name is not set for node-1 in the inventory")
        }
    }
}
