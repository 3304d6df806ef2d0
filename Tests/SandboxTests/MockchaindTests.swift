import Foundation
import FleetTestSupport
import Testing

/// mockchaind, the simulated node: x/upgrade's file and log line, halt height, versions.
@Suite("mockchaind", .tags(.processes), .timeLimit(.minutes(2)))
struct MockchaindTests {
    /// A home with releases v1..v3 stamped and `init` done with v1.
    struct Chain {
        var home: String
        var releases: [String: String]

        init(in dir: String) throws {
            let out = dir + "/releases"
            let built = try ProcessRunner.run([
                "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "build-versions", "--out", out,
            ])
            try #require(built.exitCode == 0, "\(built.errorOutput)")
            releases = ["v1": out + "/v1/mockchaind", "v2": out + "/v2/mockchaind", "v3": out + "/v3/mockchaind"]
            home = dir + "/home"
            let port = try TestPorts.free()
            let initialised = try ProcessRunner.run([
                releases["v1"]!, "init", "node0", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)",
                "--block-interval", "20ms",
            ])
            try #require(initialised.exitCode == 0, "\(initialised.errorOutput)")
        }

        func run(_ version: String, _ args: [String]) async throws -> CommandResult {
            try await ProcessRunner.runAsync([releases[version]!] + args)
        }

        func blocks() throws -> [(height: Int, version: String)] {
            try String(contentsOfFile: home + "/data/blocks.log", encoding: .utf8)
                .split(separator: "\n")
                .map { line in
                    let parts = line.split(separator: " ")
                    return (Int(parts[0])!, String(parts[1]))
                }
        }
    }

    @Test("versions are distinct files that print their own version")
    func versionsAreDistinct() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try Chain(in: dir)
            var hashes = Set<String>()
            for version in ["v1", "v2", "v3"] {
                let result = try await chain.run(version, ["version"])
                #expect(result.output == "\(version)\n")
                hashes.insert(try await ProcessRunner.runAsync(["sha256sum", chain.releases[version]!]).output.prefix(64).description)
            }
            #expect(hashes.count == 3)
        }
    }

    @Test("at an upgrade it cannot handle it writes upgrade-info.json byte for byte, logs, and exits non-zero",
          arguments: [("v2", 7, "{\"binaries\":{}}"), ("Upgrade Two", 5, "")])
    func upgradeNeeded(name: String, height: Int, info: String) async throws {
        try await withTemporaryDirectory { dir in
            let chain = try Chain(in: dir)
            var propose = ["propose-upgrade", name, String(height), "--home", chain.home]
            if !info.isEmpty { propose += ["--info", info] }
            #expect(try await chain.run("v1", propose).exitCode == 0)
            let result = try await chain.run("v1", ["start", "--home", chain.home])
            #expect(result.exitCode != 0)
            let infoText = info.isEmpty ? "" : ",\"info\":\(jsonString(info))"
            let expected = "{\"name\":\(jsonString(name)),\"time\":\"0001-01-01T00:00:00Z\",\"height\":\(height)\(infoText)}"
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
            let chain = try Chain(in: dir)
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

    @Test("--halt-height stops before committing H: exits 0, or stays up with blocks stopped")
    func haltHeight() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try Chain(in: dir)
            let result = try await chain.run("v1", ["start", "--home", chain.home, "--halt-height", "6"])
            #expect(result.exitCode == 0)
            #expect(try chain.blocks().last?.height == 5)

            let process = Process()
            process.executableURL = URL(fileURLWithPath: chain.releases["v1"]!)
            process.arguments = ["start", "--home", chain.home, "--halt-height", "9", "--halt-stay-up"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(800))
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
            let chain = try Chain(in: dir)
            try "31 30\n".write(toFile: chain.home + "/config/pre-upgrade-exit-codes", atomically: true, encoding: .utf8)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 31)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 30)
            #expect(try await chain.run("v2", ["pre-upgrade", "--home", chain.home]).exitCode == 30)
        }
    }

    @Test("priv_validator_key.json is CometBFT-shaped and its address is sha256(pubkey)[:20]")
    func consensusKey() async throws {
        try await withTemporaryDirectory { dir in
            let chain = try Chain(in: dir)
            let data = try Data(contentsOf: URL(fileURLWithPath: chain.home + "/config/priv_validator_key.json"))
            let key = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let pub = try #require((key["pub_key"] as? [String: String])?["value"])
            #expect((key["pub_key"] as? [String: String])?["type"] == "tendermint/PubKeyEd25519")
            #expect(Data(base64Encoded: pub)?.count == 32)
            let priv = try #require((key["priv_key"] as? [String: String])?["value"])
            #expect(Data(base64Encoded: priv)?.suffix(32) == Data(base64Encoded: pub))
            let digest = try await ProcessRunner.runAsync(["sha256sum"], input: Data(base64Encoded: pub)!).output.prefix(40)
            #expect((key["address"] as? String) == digest.uppercased())
        }
    }
}

private func jsonString(_ text: String) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
}
