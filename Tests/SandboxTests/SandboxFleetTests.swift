import FleetTestSupport
import Foundation
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
                    sandbox.sshArguments(node) + [
                        "id -un; readlink \(home)/cosmovisor/current; cat \(home)/data/height"
                    ]
                )
                #expect(result.exitCode == 0, "\(node.name): \(result.errorOutput)")
                let lines = result.output.split(separator: "\n").map(String.init)
                #expect(lines.first == sandbox.user)
                #expect(lines.dropFirst().first == "genesis")
                #expect(lines.count == 3 && Int(lines[2]) != nil, "data/height holds a number: \(lines)")
            }
            return sandbox
        }
        for node in sandbox.nodes {
            for pid in [node.sshdPid, node.chainPid].compactMap({ $0 }) {
                #expect(!ProcessProbe.isRunning(pid), "\(node.name): process \(pid) still running after stop")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.runRoot), "stop removes the run folder")
    }

    @Test("a sandbox folder and agent binary in a private (0700) folder: the nodes run, as the node user")
    func privateCheckout() async throws {
        try await withTemporaryDirectory { dir in
            // As a checkout in /root or a `mktemp -d`: nothing below `checkout` is reachable by other users.
            let checkout = dir + "/checkout"
            try FileManager.default.createDirectory(
                atPath: checkout + "/.build",
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            chmod(checkout, 0o700)
            let agent = checkout + "/.build/node-agent"
            try FileManager.default.copyItem(atPath: TestPaths.product("node-agent"), toPath: agent)
            let options = Sandbox.Options(nodes: 2, agent: agent)
            let sandbox = try await withSandbox(options, in: checkout + "/.sandbox/demo") { sandbox in
                #expect(!sandbox.runRoot.hasPrefix(checkout))
                let runAgent = try #require(sandbox.agent)
                #expect(runAgent.hasPrefix(sandbox.runRoot + "/"))
                for node in sandbox.nodes {
                    #expect(node.home.hasPrefix(sandbox.runRoot + "/"))
                    // The node user reaches the agent copy and its home; the agent supervises a node making blocks.
                    let result = try await ProcessRunner.runAsync(
                        sandbox.sshArguments(node) + [
                            "id -un; test -x \(runAgent) && test -w \(node.home)/data && echo ok"
                        ]
                    )
                    #expect(result.output == "\(sandbox.user)\nok\n", "\(node.name): \(result.errorOutput)")
                    let first = try await MockchainStatus.fetch(node.rpc).height
                    try await waitUntil("\(node.name) to make a block past \(first)") {
                        try await MockchainStatus.fetch(node.rpc).height > first
                    }
                    let command = try String(contentsOfFile: "/proc/\(node.chainPid!)/cmdline", encoding: .utf8)
                    #expect(command.hasPrefix(runAgent + "\0run\0"), "the node runs under the agent copy")
                }
                return sandbox
            }
            #expect(!FileManager.default.fileExists(atPath: sandbox.runRoot), "stop removes the run folder")
        }
    }

    @Test("a host key that is not in known_hosts is refused by OpenSSH")
    func wrongHostKeyRefused() async throws {
        try await withSandbox(.init(nodes: 1, noChain: true)) { sandbox in
            let node = sandbox.nodes[0]
            let other = sandbox.root + "/other_known_hosts"
            let keygen = try await ProcessRunner.runAsync([
                "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sandbox.root + "/fake",
            ])
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
                try await waitUntil("\(node.name) to make a block past \(first.height)") {
                    try await MockchainStatus.fetch(node.rpc).height > first.height
                }
                let second = try await MockchainStatus.fetch(node.rpc)
                #expect(second.catchingUp == false)
                #expect(second.validatorAddress == node.consensusAddress)
            }
        }
    }

    @Test("two nodes can be given the same consensus key")
    func sharedConsensusKey() async throws {
        try await withSandbox(.init(nodes: 3, validators: 2, noChain: true, sharedKey: ["validator-1", "validator-2"]))
        {
            sandbox in
            let addresses = sandbox.nodes.map(\.consensusAddress)
            #expect(sandbox.node("validator-1")?.consensusAddress == sandbox.node("validator-2")?.consensusAddress)
            #expect(sandbox.node("sentry-1")?.consensusAddress != sandbox.node("validator-1")?.consensusAddress)
            #expect(addresses.allSatisfy { $0.count == 40 })
        }
    }
}
