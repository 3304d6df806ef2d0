import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet stage` end to end: the built binary pushing to a real 8-node sandbox.
@Suite("fleet stage on a sandbox", .tags(.sshd), .timeLimit(.minutes(4)))
struct StageSandboxTests {
    @Test(
        "64 MiB staged byte-identical and 0755 everywhere; a rerun touches nothing; a different file is refused, then replaced with --force"
    )
    func stageRerunRefuseForce() async throws {
        try await withSandbox(.init(nodes: 8, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage") { dir in
                let file = try await StageSandbox.randomFile(dir, "v2.bin", bytes: 64 << 20)
                let digest = try await StageSandbox.sha256(file)
                let first = try await StageSandbox.stage(sandbox, ["v2", file, "--json"])
                #expect(first.exitCode == 0, "\(first.output)\(first.errorOutput)")
                let staged = try StageSandbox.hosts(first)
                #expect(staged.count == 8)
                var identities: [String: (inode: UInt64, mtime: Int, mode: UInt32)] = [:]
                for node in sandbox.nodes {
                    #expect(staged[node.name]?["result"] as? String == "staged")
                    #expect(staged[node.name]?["bytes"] as? Int == 64 << 20)
                    #expect(staged[node.name]?["sha256"] as? String == digest)
                    let target = StageSandbox.target(node)
                    #expect(try await StageSandbox.sha256(target) == digest, "\(node.name)")
                    let identity = try StageSandbox.identity(target)
                    #expect(identity.mode == 0o755, "\(node.name): mode \(String(identity.mode, radix: 8))")
                    #expect(StageSandbox.temporaries(beside: target).isEmpty, "\(node.name)")
                    identities[node.name] = identity
                }

                let again = try await StageSandbox.stage(sandbox, ["v2", file, "--json"])
                #expect(again.exitCode == 0, "\(again.output)\(again.errorOutput)")
                let rerun = try StageSandbox.hosts(again)
                for node in sandbox.nodes {
                    #expect(rerun[node.name]?["result"] as? String == "already-staged")
                    #expect(rerun[node.name]?["bytes"] as? Int == 0)
                    let identity = try StageSandbox.identity(StageSandbox.target(node))
                    #expect(identity.inode == identities[node.name]?.inode, "\(node.name) replaced")
                    #expect(identity.mtime == identities[node.name]?.mtime, "\(node.name) touched")
                }

                let other = try await StageSandbox.randomFile(dir, "v2-other.bin", bytes: 1 << 20)
                let otherDigest = try await StageSandbox.sha256(other)
                let refused = try await StageSandbox.stage(sandbox, ["v2", other])
                #expect(refused.exitCode == 1)
                #expect(refused.output.contains("0 staged, 0 already staged, 8 refused, 0 failed"), "\(refused.output)")
                for node in sandbox.nodes {
                    #expect(
                        refused.output.contains(
                            "\(node.name): refused: staged binary differs: \(digest) vs \(otherDigest); use --force to replace"
                        ))
                    let identity = try StageSandbox.identity(StageSandbox.target(node))
                    #expect(
                        identity.inode == identities[node.name]?.inode && identity.mtime == identities[node.name]?.mtime
                    )
                    #expect(try await StageSandbox.sha256(StageSandbox.target(node)) == digest)
                }

                let forced = try await StageSandbox.stage(sandbox, ["V2", other, "--force"])
                #expect(forced.exitCode == 0, "\(forced.output)\(forced.errorOutput)")
                #expect(forced.output.contains("8 staged, 0 already staged, 0 refused, 0 failed"))
                for node in sandbox.nodes {
                    let target = StageSandbox.target(node)
                    #expect(try await StageSandbox.sha256(target) == otherDigest, "\(node.name)")
                    #expect(try StageSandbox.identity(target).mode == 0o755)
                    #expect(StageSandbox.temporaries(beside: target).isEmpty)
                }

                // --genesis: the genesis binary every node already runs is "already staged"; another is refused.
                let genesis = dir + "/genesis.bin"
                try FileManager.default.copyItem(
                    atPath: sandbox.nodes[0].home + "/cosmovisor/genesis/bin/mockchaind", toPath: genesis)
                let same = try await StageSandbox.stage(sandbox, ["--genesis", genesis])
                #expect(same.exitCode == 0, "\(same.output)")
                #expect(same.output.contains("0 staged, 8 already staged, 0 refused, 0 failed"))
                let differs = try await StageSandbox.stage(sandbox, ["--genesis", other])
                #expect(differs.exitCode == 1)
                #expect(differs.output.contains("8 refused"))
            }
        }
    }

    @Test(
        "hostile names and a missing FILE: exit 2, named, and no node sees a connection; unknown host keys: refused, nothing written"
    )
    func refusedBeforeConnectingOrWriting() async throws {
        try await withSandbox(.init(nodes: 8, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage") { dir in
                let file = try await StageSandbox.randomFile(dir, "v2.bin", bytes: 4096)
                let before = StageSandbox.connectionCounts(sandbox)
                let cases: [([String], String)] = [
                    ([".."], #"invalid upgrade name "..""#),
                    (["."], #"invalid upgrade name ".""#),
                    (["a/b"], #"invalid upgrade name "a/b": it must not contain "/""#),
                    ([""], "invalid upgrade name: name cannot be empty"),
                    ([String(repeating: "n", count: 300)], "is 300 bytes once escaped"),
                    (["v2\u{1B}]0;owned\u{07}"], #"invalid upgrade name "v2\u{1B}]0;owned\u{07}""#),
                ]
                for (name, message) in cases {
                    let result = try await StageSandbox.stage(sandbox, name + [file])
                    #expect(result.exitCode == 2, "\(name): \(result.errorOutput)")
                    #expect(result.errorOutput.contains(message), "\(result.errorOutput)")
                    #expect(!result.errorOutput.utf8.contains(0x1B) && !result.errorOutput.utf8.contains(0x07))
                }
                let missing = try await StageSandbox.stage(sandbox, ["v2", dir + "/no-such-file"])
                #expect(missing.exitCode == 2)
                #expect(missing.errorOutput.contains("cannot read \(dir)/no-such-file: No such file or directory"))
                let directory = try await StageSandbox.stage(sandbox, ["v2", dir])
                #expect(directory.exitCode == 2)
                #expect(directory.errorOutput.contains("cannot read \(dir): it is a directory"))
                #expect(StageSandbox.connectionCounts(sandbox) == before)
                // The log does count connections: a real run adds one per node.
                _ = try await StageSandbox.stage(sandbox, ["v9", file])
                #expect(StageSandbox.connectionCounts(sandbox).allSatisfy { $0.value == before[$0.key]! + 1 })

                let empty = dir + "/known_hosts"
                try Data().write(to: URL(fileURLWithPath: empty))
                let unknown = try await StageSandbox.stage(sandbox, ["v2", file, "--json"], knownHosts: empty)
                #expect(unknown.exitCode == 1)
                let hosts = try StageSandbox.hosts(unknown)
                for node in sandbox.nodes {
                    #expect(hosts[node.name]?["result"] as? String == "failed")
                    let error = hosts[node.name]?["error"] as? String ?? ""
                    #expect(error.contains("known_hosts"), "\(error)")
                    #expect(!FileManager.default.fileExists(atPath: node.home + "/cosmovisor/upgrades/v2"))
                }
                #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
            }
        }
    }
}
