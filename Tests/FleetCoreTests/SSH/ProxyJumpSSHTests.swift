import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// ProxyJump against real sshds: hosts reachable only through bastions (network namespaces as root,
/// with the bastion's DEBUG1 log as the proof everywhere), strict bastion host keys, two hops.
@Suite(.tags(.sshd), .timeLimit(.minutes(3)))
struct ProxyJumpSSHTests {
    /// A strict target for `host`'s first port with the lab's key and known_hosts.
    static func target(
        _ lab: BastionLab, _ host: BastionLab.Host, port: Int? = nil, knownHosts: String? = nil,
        policy: HostKeyPolicy = .strict, route: SSHRoute = .direct
    ) -> SSHTarget {
        SSHTarget(
            host: host.address, port: port ?? host.ports[0], user: lab.user, identityFiles: [lab.clientKey],
            knownHostsFile: knownHosts ?? lab.knownHosts, hostKeyPolicy: policy, connectTimeout: .seconds(5),
            operationTimeout: .seconds(30), route: route)
    }

    @Test(
        "the jump reaches a host this machine cannot reach, and the bastion's log shows the direct-tcpip request",
        arguments: [BastionLab.Isolation.best, .loopback])
    func jumpReachesTheTarget(isolation: BastionLab.Isolation) async throws {
        try await withBastionLab(hosts: 2, isolation: isolation) { lab in
            let bastion = lab.hosts[0]
            if lab.isolation == .namespaces {
                var direct = Self.target(lab, lab.target)
                direct.connectTimeout = .seconds(2)
                direct.bannerRetries = 0
                await #expect(throws: SSHError.self) { try await withSSHConnection(direct) { _ in } }
            }
            let jumped = Self.target(lab, lab.target, route: .jump([Self.target(lab, bastion)]))
            let payload = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
            let local = lab.scratch + "/payload"
            try payload.write(to: URL(fileURLWithPath: local))
            try await withSSHConnection(jumped) { ssh in
                let result = try await ssh.exec("echo through; cat", stdin: Data("stdin".utf8))
                #expect(result.output == "through\nstdin")
                try await ssh.upload(localPath: local, remotePath: lab.remoteDirectory + "/uploaded", mode: 0o644)
                #expect(try await ssh.readFile(lab.remoteDirectory + "/uploaded", maxBytes: 4 << 20) == payload)
            }
            #expect(lab.directTCPIPRequests(on: bastion) == ["\(lab.target.address) \(lab.target.ports[0])"])
            if let from = bastion.outgoingAddress {
                // The target saw the session come from the bastion's side of their link.
                #expect(!lab.lines(lab.target, containing: "Connection from \(from) ").isEmpty)
            }
        }
    }

    @Test func aWrongBastionKeyRefusesTheWholePathAndRecordsNothing() async throws {
        try await withBastionLab(hosts: 2) { lab in
            let bastion = lab.hosts[0]
            let impostor = try lab.newPublicKey()
            let known = lab.scratch + "/known_hosts_wrong"
            let text =
                "[\(bastion.address)]:\(bastion.ports[0]) \(impostor)\n"
                + "[\(lab.target.address)]:\(lab.target.ports[0]) \(lab.target.hostKey)\n"
            try text.write(toFile: known, atomically: true, encoding: .utf8)
            // Even accept-new must not record anything: a changed key is never "new".
            let hop = Self.target(lab, bastion, knownHosts: known, policy: .acceptNew)
            let jumped = Self.target(lab, lab.target, knownHosts: known, policy: .acceptNew, route: .jump([hop]))
            let error = await #expect(throws: SSHError.self) { try await withSSHConnection(jumped) { _ in } }
            #expect(error?.code == .hostKeyMismatch)
            #expect(error?.host == lab.target.address)
            #expect(error?.description.contains("bastion \(lab.user)@\(bastion.address):\(bastion.ports[0])") == true)
            #expect(
                error?.description.contains("HOST KEY CHANGED for [\(bastion.address)]:\(bastion.ports[0])") == true)
            #expect(try String(contentsOfFile: known, encoding: .utf8) == text)
            #expect(lab.directTCPIPRequests(on: bastion).isEmpty)
            #expect(lab.connections(on: lab.target) == 0)
        }
    }

    @Test func twoHopsFromSSHConfigWithOneLoginPerBastion() async throws {
        try await withBastionLab(hosts: 3) { lab in
            let (first, second, final) = (lab.hosts[0], lab.hosts[1], lab.target)
            let config = SSHConfigFile.parse(
                """
                Host outer
                    HostName \(first.address)
                    Port \(first.ports[0])
                Host inner
                    HostName \(second.address)
                    Port \(second.ports[0])
                Host node-*
                    HostName \(final.address)
                    Port \(final.ports[0])
                    ProxyJump outer,inner
                Host *
                    User \(lab.user)
                    IdentityFile \(lab.clientKey)
                """)
            let client = SSHTarget.ClientEnvironment(
                homeDirectory: lab.scratch, localUser: "nobody", knownHostsFile: lab.knownHosts,
                globalKnownHostsFiles: [])
            let targets = ["node-1", "node-2", "node-3"].map {
                SSHTarget.resolve(alias: $0, config: config, client: client)
            }
            #expect(targets[0].route.jumpHosts.map(\.host) == [first.address, second.address])
            let outputs = await forEachHost(targets, maxConcurrent: 3) { target -> String in
                (try? await withSSHConnection(target) { try await $0.exec("echo two hops").output }) ?? "failed"
            }
            #expect(outputs.map(\.1) == Array(repeating: "two hops\n", count: 3))
            #expect(lab.acceptedLogins(on: first) == 1)
            #expect(lab.acceptedLogins(on: second) == 1)
            #expect(lab.acceptedLogins(on: final) == 3)
            #expect(lab.directTCPIPRequests(on: first) == ["\(second.address) \(second.ports[0])"])
            #expect(
                lab.directTCPIPRequests(on: second) == Array(repeating: "\(final.address) \(final.ports[0])", count: 3))
        }
    }
}

extension ProxyJumpSSHTests {
    @Test func whatTheBastionCannotReachAndAnUnknownBastionAreNamed() async throws {
        try await withBastionLab(hosts: 2) { lab in
            let bastion = lab.hosts[0]
            let hop = Self.target(lab, bastion)
            // Nothing listens on this port of the target: the bastion refuses the channel.
            let closed = Self.target(lab, lab.target, port: 2299, route: .jump([hop]))
            let refused = await #expect(throws: SSHError.self) { try await withSSHConnection(closed) { _ in } }
            #expect(refused?.code == .connect)
            #expect(refused?.description.contains("bastion \(lab.user)@\(bastion.address):\(bastion.ports[0])") == true)
            #expect(refused?.hint.contains("reach \(lab.target.address):2299") == true)
            // A bastion missing from known_hosts is refused under strict checking, and nothing is recorded.
            let known = lab.scratch + "/known_hosts_target_only"
            let text = "[\(lab.target.address)]:\(lab.target.ports[0]) \(lab.target.hostKey)\n"
            try text.write(toFile: known, atomically: true, encoding: .utf8)
            let strictHop = Self.target(lab, bastion, knownHosts: known)
            let jumped = Self.target(lab, lab.target, knownHosts: known, route: .jump([strictHop]))
            let unknown = await #expect(throws: SSHError.self) { try await withSSHConnection(jumped) { _ in } }
            #expect(unknown?.code == .hostKeyUnknown)
            #expect(unknown?.description.contains("bastion \(lab.user)@\(bastion.address)") == true)
            #expect(try String(contentsOfFile: known, encoding: .utf8) == text)
            #expect(lab.acceptedLogins(on: lab.target) == 0)
        }
    }
}
