import FleetCore
import FleetTestSupport
import Foundation
import Testing

extension NodeProbeTests {
    /// A folder of links to the tools the probe forks (without curl or wget), plus `digest`.
    static func tools(in dir: String, digest: String) async throws -> String {
        let tools = dir + "/tools-" + digest
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        for tool in [
            "readlink", "stat", "df", "sed", "base64", "tr", "date", "mkdir", "mv", "cut", "timeout", "head", digest,
        ] {
            let found = try await ProcessRunner.runAsync(["/bin/sh", "-c", "command -v \(tool)"])
            let location = found.output.trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(found.exitCode == 0, "\(tool) is not installed")
            try FileManager.default.createSymbolicLink(atPath: tools + "/" + tool, withDestinationPath: location)
        }
        return tools
    }

    @Test(
        "a binary not in the cache is hashed as the upload check does: openssl where the node has it, else sha256sum",
        arguments: ["openssl", "sha256sum"]
    )
    func hashesWithOpensslOrSha256sum(digest: String) async throws {
        try await withTemporaryDirectory { dir in
            let (home, releases) = try await Self.makeHome(in: dir)
            let tools = try await Self.tools(in: dir, digest: digest)
            let expected: [String?] = try await runOffPool {
                try ["v1", "v2", "v3"].map { try FileDigest.sha256(ofFile: "\(releases)/\($0)/mockchaind") }
            }
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil)
            let (viaBash, _) = try await Self.probe(target, path: tools)
            #expect(viaBash.binaries.map(\.sha256) == expected, "only \(digest) on the node, under bash")
            let (viaSh, _) = try await Self.probe(target, bash: [], path: tools)
            #expect(viaSh.binaries.map(\.sha256) == expected, "only \(digest) on the node, under sh")
        }
    }
}
