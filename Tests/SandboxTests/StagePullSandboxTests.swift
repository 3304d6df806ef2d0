import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet stage NAME --url URL --sha256 HEX`: each node downloads the release itself (curl on the node)
/// from a real `python3 -m http.server`.
@Suite("fleet stage --url on a sandbox", .tags(.sshd), .timeLimit(.minutes(3)))
struct StagePullSandboxTests {
    @Test(
        "good checksum staged byte-identical; bad checksum, 404 and an unreachable server fail with the reason and stage nothing"
    )
    func pull() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage-www") { www in
                let file = try await StageSandbox.randomFile(www, "release.bin", bytes: 3 << 20)
                let digest = try await StageSandbox.sha256(file)
                try await StaticHTTPServer.serving(www) { server in
                    let url = server.baseURL + "/release.bin"
                    let good = try await StageSandbox.stage(
                        sandbox, ["v2", "--url", url, "--sha256", digest.uppercased(), "--json"])
                    #expect(good.exitCode == 0, "\(good.output)\(good.errorOutput)")
                    let hosts = try StageSandbox.hosts(good)
                    for node in sandbox.nodes {
                        #expect(hosts[node.name]?["result"] as? String == "staged")
                        #expect(hosts[node.name]?["bytes"] as? Int == 3 << 20)
                        let target = StageSandbox.target(node)
                        #expect(try await StageSandbox.sha256(target) == digest)
                        #expect(try StageSandbox.identity(target).mode == 0o755)
                        #expect(StageSandbox.temporaries(beside: target).isEmpty)
                    }
                    let again = try await StageSandbox.stage(sandbox, ["v2", "--url", url, "--sha256", digest])
                    #expect(again.exitCode == 0)
                    #expect(again.output.contains("0 staged, 2 already staged"))

                    let wrong = String(repeating: "0", count: 64)
                    let closed = try TestPorts.free()
                    let failures: [(String, String, String)] = [
                        (url, wrong, "the downloaded file has sha256 \(digest), expected \(wrong)"),
                        (server.baseURL + "/missing.bin", digest, "404"),
                        ("http://127.0.0.1:\(closed)/release.bin", digest, "Failed to connect"),
                    ]
                    for (source, sha, reason) in failures {
                        let result = try await StageSandbox.stage(
                            sandbox, ["v3", "--url", source, "--sha256", sha, "--json"])
                        #expect(result.exitCode == 1, "\(source)")
                        let report = try StageSandbox.hosts(result)
                        for node in sandbox.nodes {
                            #expect(report[node.name]?["result"] as? String == "failed")
                            let error = report[node.name]?["error"] as? String ?? ""
                            #expect(error.contains(reason), "\(error)")
                            #expect(!FileManager.default.fileExists(atPath: node.home + "/cosmovisor/upgrades/v3"))
                        }
                    }
                }
            }
        }
    }
}
