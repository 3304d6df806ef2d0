import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Authentication against a real sshd: agent, key files, passphrases, wrong and RSA keys.
@Suite(.tags(.sshd), .timeLimit(.minutes(2)))
struct SSHAuthTests {
    @Test func agentIdentityIsUsedBeforeKeyFiles() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let socket = sandbox.root + "/agent.sock"
            // A private agent in the foreground (-D), so it is our child and we stop it ourselves.
            try await BackgroundProcess.with("/usr/bin/ssh-agent", ["-D", "-a", socket]) { _ in
                // The socket file appears at bind(), before listen(): wait until the agent answers
                // (`ssh-add -l` exits 2 only while it cannot reach the agent).
                try await waitUntil("ssh-agent answering on its socket") {
                    guard FileManager.default.fileExists(atPath: socket) else { return false }
                    let listed = try? ProcessRunner.run(["ssh-add", "-l"], environment: ["SSH_AUTH_SOCK": socket])
                    return listed.map { $0.exitCode != 2 } ?? false
                }
                try SSHTestSupport.sh(["ssh-add", "-q", sandbox.clientKey], environment: ["SSH_AUTH_SOCK": socket])
                // No key files at all: only the agent can get us in.
                try await withSSHConnection(SSHTestSupport.target(sandbox, node, keys: [], agent: socket)) { ssh in
                    let result = try await ssh.exec("echo agent")
                    #expect(result.output == "agent\n")
                }
                // An agent holding only a key the host does not accept, then the right key file.
                try SSHTestSupport.sh(["ssh-add", "-q", "-D"], environment: ["SSH_AUTH_SOCK": socket])
                let stranger = try SSHTestSupport.makeKey(in: sandbox.root, name: "stranger")
                try SSHTestSupport.sh(["ssh-add", "-q", stranger], environment: ["SSH_AUTH_SOCK": socket])
                try await withSSHConnection(SSHTestSupport.target(sandbox, node, agent: socket)) { ssh in
                    let result = try await ssh.exec("true")
                    #expect(result.exitStatus == 0)
                }
                let error = await #expect(throws: SSHError.self) {
                    try await SSHConnection.connect(SSHTestSupport.target(sandbox, node, keys: [], agent: socket))
                }
                #expect(error?.code == .authentication)
                #expect(error?.message.contains("ssh-agent key ssh-ed25519 stranger was rejected") == true)
            }
        }
    }

    @Test func keyFilesPassphrasesAndClearFailures() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let locked = try SSHTestSupport.makeKey(in: sandbox.root, name: "locked", passphrase: "s3cret phrase")
            try SSHTestSupport.authorize(locked, on: node)
            var target = SSHTestSupport.target(sandbox, node, keys: [locked])
            target.passphrase = "s3cret phrase"
            try await withSSHConnection(target) { ssh in
                let result = try await ssh.exec("true")
                #expect(result.exitStatus == 0)
            }

            target.passphrase = nil
            let noPassphrase = await #expect(throws: SSHError.self) { try await SSHConnection.connect(target) }
            #expect(noPassphrase?.code == .authentication)
            #expect(noPassphrase?.message.contains("encrypted and no passphrase") == true)

            target.passphrase = "wrong"
            let wrongPassphrase = await #expect(throws: SSHError.self) { try await SSHConnection.connect(target) }
            #expect(wrongPassphrase?.code == .keyFile, "\(String(describing: wrongPassphrase))")
            #expect(wrongPassphrase?.hint.contains("passphrase is wrong") == true)

            let stranger = try SSHTestSupport.makeKey(in: sandbox.root, name: "stranger")
            let wrongKey = await #expect(throws: SSHError.self) {
                try await SSHConnection.connect(
                    SSHTestSupport.target(sandbox, node, keys: [stranger, sandbox.root + "/absent"]))
            }
            #expect(wrongKey?.code == .authentication)
            #expect(wrongKey?.description.contains("key file \(stranger) (ssh-ed25519) was rejected") == true)
            #expect(wrongKey?.description.contains("\(sandbox.root)/absent is missing") == true)
            #expect(wrongKey?.description.contains("authorized_keys") == true)

            let rsa = try SSHTestSupport.makeKey(in: sandbox.root, name: "old-rsa", type: "rsa")
            try SSHTestSupport.authorize(rsa, on: node)
            let rsaOnly = await #expect(throws: SSHError.self) {
                try await SSHConnection.connect(SSHTestSupport.target(sandbox, node, keys: [rsa]))
            }
            #expect(rsaOnly?.code == .rsaUnsupported)
            #expect(rsaOnly?.hint.contains("libssh2 1.10") == true)
            #expect(rsaOnly?.hint.contains("ed25519") == true)
        }
    }
}
