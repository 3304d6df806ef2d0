import Foundation
import FleetTestSupport
import Testing

@Suite("Sandbox fleet", .tags(.sshd), .timeLimit(.minutes(2)))
struct SandboxFleetTests {
    @Test("three nodes answer plain OpenSSH with strict host keys, and nothing is left after stop")
    func threeNodesOverOpenSSH() async throws {
        let sandbox = try await withSandbox(.init(nodes: 3)) { sandbox in
            #expect(sandbox.nodes.count == 3)
            #expect(Set(sandbox.nodes.map(\.host)).count == 3, "each node has its own address")
            for node in sandbox.nodes {
                let home = node.home
                let result = try await ProcessRunner.runAsync(
                    sandbox.sshArguments(node) + ["id -un; readlink \(home)/cosmovisor/current; cat \(home)/data/height"]
                )
                #expect(result.exitCode == 0, "\(node.name): \(result.errorOutput)")
                let lines = result.output.split(separator: "\n").map(String.init)
                #expect(lines.first == sandbox.user)
                #expect(lines.dropFirst().first == "genesis")
                #expect((Int(lines.last ?? "") ?? 0) >= 0)
            }
            return sandbox
        }
        for node in sandbox.nodes {
            for pid in [node.sshdPid, node.chainPid].compactMap({ $0 }) {
                #expect(!ProcessProbe.isRunning(pid), "\(node.name): process \(pid) still running after stop")
            }
        }
    }

    @Test("a host key that is not in known_hosts is refused by OpenSSH")
    func wrongHostKeyRefused() async throws {
        try await withSandbox(.init(nodes: 1, noChain: true)) { sandbox in
            let node = sandbox.nodes[0]
            let other = sandbox.root + "/other_known_hosts"
            let keygen = try await ProcessRunner.runAsync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sandbox.root + "/fake"])
            #expect(keygen.exitCode == 0)
            let fakeKey = try String(contentsOfFile: sandbox.root + "/fake.pub", encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            try "[\(node.host)]:\(node.port) \(fakeKey)\n".write(toFile: other, atomically: true, encoding: .utf8)
            var argv = sandbox.sshArguments(node)
            argv[argv.firstIndex(of: "UserKnownHostsFile=\(sandbox.knownHosts)")!] = "UserKnownHostsFile=\(other)"
            let result = try await ProcessRunner.runAsync(argv + ["true"])
            #expect(result.exitCode == 255)
            #expect(result.errorOutput.contains("HOST IDENTIFICATION HAS CHANGED"))
        }
    }

    @Test("nodes make blocks and serve CometBFT-shaped /status")
    func nodesMakeBlocks() async throws {
        try await withSandbox(.init(nodes: 2, blockInterval: "50ms")) { sandbox in
            for node in sandbox.nodes {
                let first = try await MockchainStatus.fetch(node.rpc)
                try await Task.sleep(for: .milliseconds(400))
                let second = try await MockchainStatus.fetch(node.rpc)
                #expect(second.height > first.height, "\(node.name) did not advance")
                #expect(second.catchingUp == false)
                #expect(second.validatorAddress == node.consensusAddress)
            }
        }
    }

    @Test("two nodes can be given the same consensus key")
    func sharedConsensusKey() async throws {
        try await withSandbox(.init(nodes: 3, validators: 2, noChain: true, sharedKey: ["validator-1", "validator-2"])) {
            sandbox in
            let addresses = sandbox.nodes.map(\.consensusAddress)
            #expect(sandbox.node("validator-1")?.consensusAddress == sandbox.node("validator-2")?.consensusAddress)
            #expect(sandbox.node("sentry-1")?.consensusAddress != sandbox.node("validator-1")?.consensusAddress)
            #expect(addresses.allSatisfy { $0.count == 40 })
        }
    }
}
