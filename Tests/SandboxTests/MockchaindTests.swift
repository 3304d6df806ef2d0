import FleetTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// mockchaind, the simulated node: x/upgrade's file and log line, halt height, versions, the plan query.
@Suite("mockchaind", .tags(.processes), .timeLimit(.minutes(2)))
struct MockchaindTests {
    @Test("versions are distinct files that print their own version")
    func versionsAreDistinct() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            var hashes = Set<String>()
            for version in ["v1", "v2", "v2.1", "v3", "broken"] {
                let result = try await chain.run(version, ["version"])
                #expect(result.output == "\(version)\n")
                hashes.insert(
                    try await ProcessRunner.runAsync(["sha256sum", chain.releases[version]!]).output.prefix(64)
                        .description)
            }
            #expect(hashes.count == 5)
        }
    }

    @Test(
        "at an upgrade it cannot handle it writes upgrade-info.json byte for byte, logs, and exits non-zero",
        arguments: [("v2", 7, "{\"binaries\":{}}"), ("Upgrade Two", 5, "")])
    func upgradeNeeded(name: String, height: Int, info: String) async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            var propose = ["propose-upgrade", name, String(height), "--home", chain.home]
            if !info.isEmpty { propose += ["--info", info] }
            #expect(try await chain.run("v1", propose).exitCode == 0)
            let result = try await chain.run("v1", ["start", "--home", chain.home])
            #expect(result.exitCode != 0)
            let infoText = info.isEmpty ? "" : ",\"info\":\(jsonString(info))"
            let expected =
                "{\"name\":\(jsonString(name)),\"time\":\"0001-01-01T00:00:00Z\",\"height\":\(height)\(infoText)}"
            let written = try String(contentsOfFile: chain.home + "/data/upgrade-info.json", encoding: .utf8)
            #expect(written == expected)
            #expect(result.output.contains("UPGRADE \"\(name)\" NEEDED at height: \(height): \(info)\n"))
            let blocks = try chain.blocks()
            #expect(blocks.last?.height == height - 1, "the old binary must not commit the upgrade height")
            #expect(blocks.allSatisfy { $0.version == "v1" })
        }
    }

    @Test("the release that handles the upgrade applies it and goes on")
    func newBinaryAppliesUpgrade() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            #expect(try await chain.run("v1", ["propose-upgrade", "v2", "4", "--home", chain.home]).exitCode == 0)
            #expect(try await chain.run("v1", ["start", "--home", chain.home]).exitCode != 0)
            let resumed = try await chain.run("v2", ["start", "--home", chain.home, "--halt-height", "8"])
            #expect(resumed.exitCode == 0)
            #expect(resumed.output.contains("applying upgrade \"v2\" at height: 4"))
            let blocks = try chain.blocks()
            #expect(blocks.map(\.height) == Array(1...7))
            #expect(blocks.filter { $0.height < 4 }.allSatisfy { $0.version == "v1" })
            #expect(blocks.filter { $0.height >= 4 }.allSatisfy { $0.version == "v2" })
        }
    }

    @Test("v2.1 applies v2's upgrade; then v1 refuses to start (wrong app hash); broken exits at start")
    func patchOldAndBrokenReleases() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            #expect(try await chain.run("v1", ["propose-upgrade", "v2", "4", "--home", chain.home]).exitCode == 0)
            #expect(try await chain.run("v1", ["start", "--home", chain.home]).exitCode != 0)
            let patch = try await chain.run("v2.1", ["start", "--home", chain.home, "--halt-height", "7"])
            #expect(patch.exitCode == 0)
            #expect(patch.output.contains("applying upgrade \"v2\" at height: 4"))
            #expect(try chain.blocks().filter { $0.height >= 4 }.allSatisfy { $0.version == "v2.1" })

            let old = try await chain.run("v1", ["start", "--home", chain.home])
            #expect(old.exitCode == 1)
            #expect(old.errorOutput.contains("wrong app hash"), "\(old.errorOutput)")
            #expect(old.errorOutput.contains(#"upgrade "v2" at height 4"#), "\(old.errorOutput)")
            let later = try await chain.run("v3", ["start", "--home", chain.home, "--halt-height", "9"])
            #expect(later.exitCode == 0, "v3 knows v2: \(later.errorOutput)")
            let broken = try await chain.run("broken", ["start", "--home", chain.home])
            #expect(broken.exitCode == 1)
            #expect(broken.errorOutput.contains("cannot start"))
            #expect(try chain.blocks().map(\.height) == Array(1...8))
        }
    }

    @Test("a node without a shared chain is a one-validator chain: /validators lists it with all the power")
    func singleNodeValidators() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            try await chain.serving {
                let (data, _) = try await URLSession.shared.data(from: URL(string: chain.rpc + "/validators")!)
                let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                let result = try #require(body["result"] as? [String: Any])
                let validators = try #require(result["validators"] as? [[String: Any]])
                let status = try await MockchainStatus.fetch(chain.rpc)
                #expect(validators.count == 1 && result["total"] as? String == "1" && result["count"] as? String == "1")
                #expect(validators.first?["address"] as? String == status.validatorAddress)
                #expect(validators.first?["voting_power"] as? String == String(status.votingPower))
                #expect(status.votingPower > 0)
            }
        }
    }

    @Test("--halt-height stops before committing H: exits 0, or stays up with blocks stopped")
    func haltHeight() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            let result = try await chain.run("v1", ["start", "--home", chain.home, "--halt-height", "6"])
            #expect(result.exitCode == 0)
            #expect(try chain.blocks().last?.height == 5)

            let output = dir + "/stay-up.log"
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chain.releases["v1"]!)
            process.arguments = ["start", "--home", chain.home, "--halt-height", "9", "--halt-stay-up"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            try process.run()
            try await waitUntil("the halt log line") {
                try String(contentsOfFile: output, encoding: .utf8).contains("halting node per configuration")
            }
            #expect(process.isRunning, "with --halt-stay-up the node stays up")
            #expect(try chain.blocks().last?.height == 8)
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "TERM is a clean stop")
        }
    }

    @Test("pre-upgrade exits with the configured codes, one per call")
    func preUpgradeExitCodes() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            try "31 30\n".write(
                toFile: chain.home + "/config/pre-upgrade-exit-codes", atomically: true, encoding: .utf8)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 31)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 30)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 30)
        }
    }

    @Test("priv_validator_key.json is CometBFT-shaped and its address is sha256(pubkey)[:20]")
    func consensusKey() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            let data = try Data(contentsOf: URL(fileURLWithPath: chain.home + "/config/priv_validator_key.json"))
            let key = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let pub = try #require((key["pub_key"] as? [String: String])?["value"])
            #expect((key["pub_key"] as? [String: String])?["type"] == "tendermint/PubKeyEd25519")
            #expect(Data(base64Encoded: pub)?.count == 32)
            let priv = try #require((key["priv_key"] as? [String: String])?["value"])
            #expect(Data(base64Encoded: priv)?.suffix(32) == Data(base64Encoded: pub))
            let digest = try await ProcessRunner.runAsync(["sha256sum"], input: Data(base64Encoded: pub)!).output
                .prefix(40)
            #expect((key["address"] as? String) == digest.uppercased())
        }
    }

    /// GETs `/abci_query?path="<path>"` and returns `result.response`.
    static func abciQuery(_ chain: Mockchain, path: String) async throws -> [String: Any] {
        let url = try #require(URL(string: chain.rpc + "/abci_query?path=%22" + path + "%22"))
        let data: Data
        do {
            (data, _) = try await URLSession.shared.data(from: url)
        } catch {
            let log = (try? String(contentsOfFile: chain.home + "/mockchaind.log", encoding: .utf8)) ?? ""
            throw SandboxError(message: "GET \(url): \(error)\nmockchaind.log:\n\(log.suffix(3000))")
        }
        let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((body["result"] as? [String: Any])?["response"] as? [String: Any])
    }

    @Test("abci_query: no plan is an empty value, an unknown path is code 6, a plan is a protobuf value")
    func abciQueryAnswers() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            try await chain.serving {
                let none = try await Self.abciQuery(chain, path: "/cosmos.upgrade.v1beta1.Query/CurrentPlan")
                #expect(none["code"] as? Int == 0)
                #expect(none["value"] is NSNull)
                let unknown = try await Self.abciQuery(chain, path: "/cosmos.bank.v1beta1.Query/Balance")
                #expect(unknown["code"] as? Int == 6)
                #expect(unknown["codespace"] as? String == "sdk")
            }
            #expect(
                try await chain.run("v1", ["propose-upgrade", "v2", "1000000", "--home", chain.home]).exitCode == 0)
            let restarted = try chain.onFreshPort()
            try await restarted.serving {
                let plan = try await Self.abciQuery(restarted, path: "/cosmos.upgrade.v1beta1.Query/CurrentPlan")
                let value = try #require(plan["value"] as? String)
                // QueryCurrentPlanResponse{plan: Plan{name: "v2", time: 0001-01-01 (seconds -62135596800),
                // height: 1000000}}: a height no run of the first node can reach, however slow the machine.
                let expected: [UInt8] =
                    [0x0A, 0x15, 0x0A, 0x02, 0x76, 0x32, 0x12, 0x0B, 0x08]
                    + [0x80, 0x92, 0xB8, 0xC3, 0x98, 0xFE, 0xFF, 0xFF, 0xFF, 0x01] + [0x18, 0xC0, 0x84, 0x3D]
                #expect(Data(base64Encoded: value).map(Array.init) == expected)
            }
        }
    }

    @Test("node-agent prepare-upgrade stages the binary of the plan it reads from mockchaind's abci_query")
    func prepareUpgradeFromThePlanQuery() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try await Mockchain.prepared(in: dir)
            let release = try #require(FileManager.default.contents(atPath: chain.releases["v2"]!))
            try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
            try release.write(to: URL(fileURLWithPath: dir + "/www/mockchaind"))
            try FileManager.default.createDirectory(
                atPath: chain.home + "/cosmovisor", withIntermediateDirectories: true)
            let sha256 = try await ProcessRunner.runAsync(["sha256sum", dir + "/www/mockchaind"]).output.prefix(64)
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let url = server.baseURL + "/mockchaind?checksum=sha256:" + sha256
                let propose = [
                    "propose-upgrade", "V2-Lambda", "1000000", "--home", chain.home,
                    "--info", #"{"binaries":{"any":"\#(url)"}}"#,
                ]
                #expect(try await chain.run("v1", propose).exitCode == 0)
                try await chain.serving {
                    let environment = [
                        "DAEMON_HOME": chain.home, "DAEMON_NAME": "mockchaind", "NODE_AGENT_RPC": chain.rpc,
                        "UNSAFE_SKIP_BACKUP": "true", "COSMOVISOR_COLOR_LOGS": "false",
                    ]
                    let result = try await ProcessRunner.runAsync(
                        [TestPaths.product("node-agent"), "prepare-upgrade"],
                        environment: environment
                    )
                    #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
                    #expect(result.output.contains("height=1000000"), "\(result.output)")
                    let staged = chain.home + "/cosmovisor/upgrades/v2-lambda/bin/mockchaind"
                    #expect(FileManager.default.contents(atPath: staged) == release)
                    #expect(try await ProcessRunner.runAsync([staged, "version"]).output == "v2\n")
                }
            }
        }
    }
}

extension Mockchain {
    /// data/blocks.log: every committed height and the version that committed it.
    func blocks() throws -> [(height: Int, version: String)] {
        try String(contentsOfFile: home + "/data/blocks.log", encoding: .utf8)
            .split(separator: "\n")
            .map { line in
                let parts = line.split(separator: " ")
                return (Int(parts[0])!, String(parts[1]))
            }
    }
}

private func jsonString(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
}
