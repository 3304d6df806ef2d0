import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// Downloads inside `run` (spec §5.7 step 2, §5.8) with `DAEMON_ALLOW_DOWNLOAD_BINARIES=true`: the plan's
/// `binaries` map served by a local HTTP server, fetched by `prepare-upgrade`'s downloader before the switch.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunDownloadTests {
    /// Sets up mockchaind with `upgrades/v2` removed and its binary served as `www/mockchaind-v2`.
    static func setUp(_ h: AgentHarness) async throws -> (rpc: String, www: String, bytes: Data) {
        let rpc = try await h.setUpMockchain()
        try FileManager.default.removeItem(atPath: h.root + "/upgrades/v2")
        let www = h.directory + "/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: h.directory + "/releases/v2/mockchaind"))
        try bytes.write(to: URL(fileURLWithPath: www + "/mockchaind-v2"))
        return (rpc, www, bytes)
    }

    /// `mockchaind propose-upgrade v2 HEIGHT --info {"binaries":{"any":URL}}`.
    static func propose(_ h: AgentHarness, at height: Int, url: String) throws {
        let info = #"{"binaries":{"any":"\#(url)"}}"#
        let result = try ProcessRunner.run([
            h.directory + "/releases/v1/mockchaind", "propose-upgrade", "v2", "\(height)", "--home", h.home,
            "--info", info,
        ])
        guard result.exitCode == 0 else { throw HarnessError("propose-upgrade: \(result.errorOutput)") }
    }

    static func upgradesEntries(_ h: AgentHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.root + "/upgrades")) ?? []).sorted()
    }

    @Test func aMissingBinaryWithAGoodChecksumIsDownloadedBeforeTheSwitch() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let (rpc, www, bytes) = try await Self.setUp(h)
        try await StaticHTTPServer.serving(www) { server in
            let url = server.baseURL + "/mockchaind-v2?checksum=sha256:" + FileDigest.hex(.sha256, of: bytes)
            try Self.propose(h, at: 8, url: url)
            let agent = try h.start(
                ["start", "--home", h.home],
                environment: ["NODE_AGENT_RPC_URL": rpc, "DAEMON_ALLOW_DOWNLOAD_BINARIES": "true"]
            )
            try await eventually("v2 blocks", agent: agent) { h.blocks().filter { $0.version == "v2" }.count >= 3 }
            #expect(h.currentTarget == "upgrades/v2")
            #expect(FileManager.default.contents(atPath: h.root + "/upgrades/v2/bin/mockchaind") == bytes)
            #expect(try AgentCLI.mode(h.root + "/upgrades/v2/bin/mockchaind") == 0o755)
            #expect(Self.upgradesEntries(h) == ["v2", "v3"], "no staging directory is left")
            #expect(h.expectHistory([(8, "v2")]) == nil, "\(h.blocks())")
            #expect(agent.logLines.contains { $0.contains("no upgrade binary found, beginning to download it") })
            #expect(agent.logLines.contains { $0.contains("downloading binary complete") })
            agent.process.signalGroup(SIGTERM)
            #expect(try await agent.wait() == .exited(0))
        }
    }

    @Test func aBadChecksumLeavesTheNodeStoppedAtTheHeightAndNoUpgradeDirectory() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let (rpc, www, bytes) = try await Self.setUp(h)
        try await StaticHTTPServer.serving(www) { server in
            let wrong = String(repeating: "0", count: 64)
            try Self.propose(h, at: 8, url: server.baseURL + "/mockchaind-v2?checksum=sha256:" + wrong)
            let agent = try await h.run(
                ["start", "--home", h.home],
                environment: ["NODE_AGENT_RPC_URL": rpc, "DAEMON_ALLOW_DOWNLOAD_BINARIES": "true"]
            )
            #expect(agent.process.exited == .exited(1))
            #expect(
                agent.stderr.contains(
                    "Error: cannot download the binary of upgrade v2 at height 8; the node stays stopped: "
                        + "failed to download and verify binary: Checksums did not match for sha256. Expected: "
                        + wrong + " Got: " + FileDigest.hex(.sha256, of: bytes)
                ),
                "\(agent.stderr)"
            )
            #expect(Self.upgradesEntries(h) == ["v3"], "no upgrades/v2, no staging directory")
            #expect(h.currentTarget == "genesis")
            #expect(h.nodePids().isEmpty)
            #expect(h.blocks().last?.height == 7, "the old binary stopped at the block before the upgrade")
        }
    }

    @Test func withoutDownloadsTheMissingBinaryIsCosmovisorsError() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let (rpc, www, _) = try await Self.setUp(h)
        try await StaticHTTPServer.serving(www) { server in
            try Self.propose(h, at: 6, url: server.baseURL + "/mockchaind-v2")
            let agent = try await h.run(["start", "--home", h.home], environment: ["NODE_AGENT_RPC_URL": rpc])
            #expect(agent.process.exited == .exited(1))
            #expect(agent.stderr.contains("Error: binary not present, downloading disabled: "), "\(agent.stderr)")
            #expect(Self.upgradesEntries(h) == ["v3"])
        }
    }
}
