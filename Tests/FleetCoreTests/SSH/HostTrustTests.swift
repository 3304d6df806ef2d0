import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Host-key trust against a real sshd: plain, hashed and bracketed entries, changes, accept-new, revocation.
@Suite(.tags(.sshd), .timeLimit(.minutes(2)))
struct HostTrustTests {
    @Test func knownHostFormsAreAccepted() async throws {
        try await SSHTestSupport.withNodes(2) { sandbox in
            let node = sandbox.nodes[0]
            let key = try SSHTestSupport.hostKeyText(node)
            let other = try SSHTestSupport.hostKeyText(sandbox.nodes[1])
            // Bracketed with port (what sandbox.py writes), a comma list, a wildcard, and ssh-keygen -H hashed.
            let plain = try SSHTestSupport.write("[\(node.host)]:\(node.port) \(key)\n", to: sandbox.root + "/kh-plain")
            let list = try SSHTestSupport.write(
                "other.example,[\(node.host)]:\(node.port),10.9.9.9 \(key) comment\n", to: sandbox.root + "/kh-list")
            let hashed = try SSHTestSupport.write(
                "[\(sandbox.nodes[1].host)]:\(node.port) \(other)\n[\(node.host)]:\(node.port) \(key)\n",
                to: sandbox.root + "/kh-hashed")
            try SSHTestSupport.sh(["ssh-keygen", "-q", "-H", "-f", hashed])
            #expect(try String(contentsOfFile: hashed, encoding: .utf8).hasPrefix("|1|"))
            let messy = try SSHTestSupport.write(
                """
                # a comment, then lines libssh2 would choke on
                badline
                @cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
                @future-marker [\(node.host)]:\(node.port) \(key)
                [\(node.host)]:\(node.port) ssh-ed25519 !!!notbase64!!!
                [\(node.host)]:\(node.port) \(key)
                """, to: sandbox.root + "/kh-messy")
            for file in [plain, list, hashed, messy] {
                try await withSSHConnection(SSHTestSupport.target(sandbox, node, knownHosts: file)) { ssh in
                    let result = try await ssh.exec("true")
                    #expect(result.exitStatus == 0, "\(file)")
                }
            }
        }
    }

    @Test func changedKeyIsRefusedWithBothFingerprints() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let impostor = try SSHTestSupport.makeKey(in: sandbox.root, name: "impostor")
            let impostorKey = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ")
                .prefix(2)
                .joined(separator: " ")
            let file = try SSHTestSupport.write(
                "[\(node.host)]:\(node.port) \(impostorKey)\n", to: sandbox.root + "/kh")
            let expected = try SSHTestSupport.fingerprint(ofPublicKey: impostor + ".pub")
            let presented = try SSHTestSupport.fingerprint(ofPublicKey: node.dir + "/ssh_host_ed25519_key.pub")
            for policy in [HostKeyPolicy.strict, .acceptNew] {
                let error = await #expect(throws: SSHError.self) {
                    try await SSHConnection.connect(
                        SSHTestSupport.target(sandbox, node, knownHosts: file, policy: policy))
                }
                #expect(error?.code == .hostKeyMismatch)
                #expect(error?.message.contains(expected) == true)
                #expect(error?.message.contains(presented) == true)
            }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "[\(node.host)]:\(node.port) \(impostorKey)\n")
        }
    }

    @Test func unknownHostIsRefusedThenRecordedWithAcceptNew() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let file = sandbox.root + "/fresh/known_hosts"
            let presented = try SSHTestSupport.fingerprint(ofPublicKey: node.dir + "/ssh_host_ed25519_key.pub")
            let refused = await #expect(throws: SSHError.self) {
                try await SSHConnection.connect(SSHTestSupport.target(sandbox, node, knownHosts: file))
            }
            #expect(refused?.code == .hostKeyUnknown)
            #expect(refused?.message.contains(presented) == true)
            #expect(!FileManager.default.fileExists(atPath: file))

            try await withSSHConnection(SSHTestSupport.target(sandbox, node, knownHosts: file, policy: .acceptNew)) {
                ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
            let recorded = try String(contentsOfFile: file, encoding: .utf8)
            #expect(recorded == "[\(node.host)]:\(node.port) \(try SSHTestSupport.hostKeyText(node))\n")
            // OpenSSH agrees with what we recorded.
            var argv = sandbox.sshArguments(node)
            argv[argv.firstIndex(of: "UserKnownHostsFile=\(sandbox.knownHosts)")!] = "UserKnownHostsFile=\(file)"
            #expect(try ProcessRunner.run(argv + ["true"]).exitCode == 0)
            try await withSSHConnection(SSHTestSupport.target(sandbox, node, knownHosts: file)) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
        }
    }

    @Test func revokedKeyIsRefused() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let key = try SSHTestSupport.hostKeyText(node)
            let file = try SSHTestSupport.write(
                "[\(node.host)]:\(node.port) \(key)\n@revoked * \(key)\n", to: sandbox.root + "/kh")
            for policy in [HostKeyPolicy.strict, .acceptNew] {
                let error = await #expect(throws: SSHError.self) {
                    try await SSHConnection.connect(
                        SSHTestSupport.target(sandbox, node, knownHosts: file, policy: policy))
                }
                #expect(error?.code == .hostKeyRevoked)
            }
        }
    }

    @Test func crlfKnownHostsTrustsTheRightKeyAndNeverRecordsAChangedOne() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let good = try SSHTestSupport.write(
                "# from a Windows editor\r\n[\(node.host)]:\(node.port) \(try SSHTestSupport.hostKeyText(node)) \r\n",
                to: sandbox.root + "/kh-good")
            try await withSSHConnection(SSHTestSupport.target(sandbox, node, knownHosts: good)) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
            let impostor = try SSHTestSupport.makeKey(in: sandbox.root, name: "impostor")
            let impostorKey = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ")
                .prefix(2)
                .joined(separator: " ")
            let changedText = "# the key below is not the node's\r\n[\(node.host)]:\(node.port) \(impostorKey)\r\n"
            let changed = try SSHTestSupport.write(changedText, to: sandbox.root + "/kh-changed")
            let error = await #expect(throws: SSHError.self) {
                try await SSHConnection.connect(
                    SSHTestSupport.target(sandbox, node, knownHosts: changed, policy: .acceptNew))
            }
            #expect(error?.code == .hostKeyMismatch)
            #expect(error?.message.contains(try SSHTestSupport.fingerprint(ofPublicKey: impostor + ".pub")) == true)
            #expect(try String(contentsOfFile: changed, encoding: .utf8) == changedText)
        }
    }

    @Test func globalFileAndHostKeyAliasFromSSHConfig() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let key = try SSHTestSupport.hostKeyText(node)
            let home = sandbox.root + "/home"
            let config = SSHConfigFile.parse(
                """
                Host n1
                    HostName \(node.host)
                    Port \(node.port)
                    HostKeyAlias validator-one
                    UserKnownHostsFile ~/.ssh/fleet_hosts ~/.ssh/more_hosts
                """)
            let global = try SSHTestSupport.write("validator-one \(key)\n", to: sandbox.root + "/ssh_known_hosts")
            func target(acceptNew: Bool) -> SSHTarget {
                SSHTarget.resolve(
                    alias: "n1", inventory: .init(user: sandbox.user, identityFile: sandbox.clientKey), config: config,
                    client: .init(
                        homeDirectory: home, localUser: sandbox.user, acceptNewHostKeys: acceptNew,
                        globalKnownHostsFiles: [global]))
            }
            // Known only through the (injected) global file, under the alias: trusted, nothing written.
            try await withSSHConnection(target(acceptNew: false)) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
            #expect(!FileManager.default.fileExists(atPath: home))
            // Unknown alias: accept-new records the alias in the first user file, under a new private ~/.ssh.
            try FileManager.default.removeItem(atPath: global)
            try await withSSHConnection(target(acceptNew: true)) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
            #expect(try String(contentsOfFile: home + "/.ssh/fleet_hosts", encoding: .utf8) == "validator-one \(key)\n")
            #expect(
                try FileManager.default.attributesOfItem(atPath: home + "/.ssh")[.posixPermissions] as? Int == 0o700)
            try await withSSHConnection(target(acceptNew: false)) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }
            // OpenSSH reads the recorded line the same way.
            var argv = sandbox.sshArguments(node)
            argv[argv.firstIndex(of: "UserKnownHostsFile=\(sandbox.knownHosts)")!] =
                "UserKnownHostsFile=\(home)/.ssh/fleet_hosts"
            #expect(try ProcessRunner.run(argv + ["-o", "HostKeyAlias=validator-one", "true"]).exitCode == 0)
        }
    }
}
