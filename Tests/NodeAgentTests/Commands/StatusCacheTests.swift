import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// `node-agent status` and `fleet status`'s shell probe share one node-side cache of sha256 and version.
@Suite("status cache", .tags(.processes), .timeLimit(.minutes(1)))
struct StatusCacheTests {
    @Test("the agent writes entries under the probe's key, and both read what the other wrote")
    func sharedWithTheProbe() async throws {
        try await withTemporaryDirectory { dir in
            let home = dir + "/home"
            try AgentCLI.script(home + "/cosmovisor/genesis/bin/appd", "echo appd-1.0")
            try AgentCLI.script(home + "/cosmovisor/upgrades/v2/bin/appd", "echo appd-2.0")
            try FileManager.default.createSymbolicLink(
                atPath: home + "/cosmovisor/current", withDestinationPath: "genesis")
            try FileManager.default.createDirectory(atPath: home + "/data", withIntermediateDirectories: true)
            let cache = dir + "/cache"
            let environment = [
                "DAEMON_HOME": home, "DAEMON_NAME": "appd", "XDG_CACHE_HOME": cache,
                "NODE_AGENT_RPC": "http://127.0.0.1:1",
            ]
            // The fixture's files changed just now: a zero window lets the agent cache them at once.
            var configuration = AgentConfiguration(home: home, name: "appd")
            configuration.rpcURL = "http://127.0.0.1:1"
            let collector = NodeStatusCollector(
                configuration: configuration, cache: BinaryFactsCache(directory: cache + "/fleet-probe", minimumAge: 0)
            )
            #expect(await collector.collect().binaries.map(\.version) == ["appd-1.0", "appd-2.0"])

            var keys: [String] = []
            for path in ["genesis", "upgrades/v2"].map({ home + "/cosmovisor/\($0)/bin/appd" }) {
                let stat = try await ProcessRunner.runAsync(["stat", "-L", "-c", "%d_%i_%s_%.9Y_%.9Z", path])
                keys.append(stat.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let entries = try FileManager.default.contentsOfDirectory(atPath: cache + "/fleet-probe").sorted()
            #expect(entries == keys.sorted(), "the agent's keys are GNU stat's")

            // A planted entry is what both readers report: proof that they read the same cache.
            let entry = cache + "/fleet-probe/" + keys[1]
            let sha = try String(contentsOfFile: entry, encoding: .utf8).split(separator: " ")[0]
            let planted = Data("from-cache".utf8).base64EncodedString()
            try "\(sha) \(planted)\n".write(toFile: entry, atomically: true, encoding: .utf8)
            let again = try await AgentCLI.run(["status", "--json"], environment: environment)
            #expect(try NodeStatus.decode(again.stdout).binaries.map(\.version) == ["appd-1.0", "from-cache"])
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "appd", nodeRPC: "http://127.0.0.1:1", agentPath: nil)
            let probe = try await ProcessRunner.runAsync(
                ["/bin/sh", "-c", NodeProbe.command(for: target)], environment: ["XDG_CACHE_HOME": cache]
            )
            let (status, _) = try NodeProbe.parse(
                stdout: probe.stdout, exitStatus: probe.exitCode, target: target, collectedAt: "now")
            #expect(status.binaries.map(\.version) == ["appd-1.0", "from-cache"])
        }
    }

    @Test("a file changed less than the window ago is not cached; at the window it is")
    func window() async throws {
        try await withTemporaryDirectory { dir in
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
            var info = stat()
            try #require(stat(dir + "/file", &info) == 0)
            let changed = Date(timeIntervalSince1970: Double(info.st_ctim.tv_sec))
            let cache = BinaryFactsCache(directory: dir + "/cache", minimumAge: 2)
            cache.store(info, sha256: String(repeating: "a", count: 64), version: "v", now: changed + 1.9)
            #expect(cache.lookup(info) == nil)
            cache.store(info, sha256: String(repeating: "a", count: 64), version: "v", now: changed + 2)
            #expect(cache.lookup(info)?.version == "v")
        }
    }
}
