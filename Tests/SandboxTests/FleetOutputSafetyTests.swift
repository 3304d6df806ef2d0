import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// What the built `fleet` prints: secrets masked, node text escaped, errors in plain words.
@Suite("fleet output safety", .tags(.sshd), .timeLimit(.minutes(2)))
struct FleetOutputSafetyTests {
    static func fleet(_ args: [String], directory: String? = nil) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args, environment: ["NO_COLOR": "1"], directory: directory)
    }

    @Test("inventory list masks passwords, passphrases and secrets in the table and in --json")
    func inventoryListMasksSecrets() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/inventory.ini"
            try """
            [validators]
            val-1 ansible_host=10.0.0.5 ansible_password=hunter2 ansible_become_pass=sudo-pw daemon_home=/h
            [all:vars]
            ansible_ssh_pass=ssh-pw
            ansible_ssh_private_key_passphrase=kp-pw
            Vault_Secret=s3cr3t
            """.write(toFile: path, atomically: true, encoding: .utf8)
            for json in [false, true] {
                let result = try await Self.fleet(["inventory", "list", "-i", path] + (json ? ["--json"] : []))
                #expect(result.exitCode == 0, "\(result.errorOutput)")
                #expect(result.output.contains("val-1"))
                for secret in ["hunter2", "sudo-pw", "ssh-pw", "kp-pw", "s3cr3t"] {
                    #expect(
                        !result.output.contains(secret) && !result.errorOutput.contains(secret), "\(secret) printed")
                }
                if json { #expect(result.output.contains(#""ansible_password" : "********""#)) }
            }
        }
    }

    @Test("an inventory that cannot be read is named with the system's reason, never Foundation's text")
    func inventoryFileErrors() async throws {
        try await withTemporaryDirectory { dir in
            let cases = [
                (dir + "/missing.ini", "no such file or directory"),
                (dir, "no inventory in the directory"),
            ]
            for (path, reason) in cases {
                let result = try await Self.fleet(["inventory", "list", "-i", path])
                #expect(result.exitCode == 2)
                #expect(result.errorOutput.contains(path), "\(result.errorOutput)")
                #expect(result.errorOutput.contains(reason), "\(result.errorOutput)")
                #expect(!result.errorOutput.contains("could not be completed"), "\(result.errorOutput)")
                #expect(!result.errorOutput.contains("NSCocoaErrorDomain"), "\(result.errorOutput)")
            }
        }
    }

    /// A node whose `current` link target, upgrade name and `version` output carry terminal escapes.
    static let hostile = "x\u{1B}]0;owned\u{07}\u{1B}[2J"
    static let escapedHostile = #"x\x1b]0;owned\x07\x1b[2J"#

    static func plantHostileNode(_ sandbox: Sandbox) throws {
        let node = sandbox.nodes[0]
        let fm = FileManager.default
        let bin = node.home + "/cosmovisor/upgrades/\(hostile)/bin"
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\nprintf 'v9\\033]0;owned\\007\\033[2J\\n'\n"
            .write(toFile: bin + "/" + sandbox.daemonName, atomically: true, encoding: .utf8)
        chmod(bin + "/" + sandbox.daemonName, 0o755)
        try fm.removeItem(atPath: node.home + "/cosmovisor/current")
        try fm.createSymbolicLink(atPath: node.home + "/cosmovisor/current", withDestinationPath: "upgrades/\(hostile)")
    }

    @Test("status shows a node's link target, upgrade names and version with escapes shown, not obeyed")
    func statusEscapesNodeText() async throws {
        try await withSandbox(.init(nodes: 1, noChain: true)) { sandbox in
            try Self.plantHostileNode(sandbox)
            let result = try await Self.fleet(["status", "-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts])
            #expect(result.output.contains(Self.escapedHostile), "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains(#"v9\x1b]0;owned\x07\x1b[2J"#), "\(result.output)")
            #expect(!result.stdout.contains(0x1B) && !result.stdout.contains(0x07), "\(result.output.debugDescription)")
        }
    }

    @Test("exec output is escaped on a terminal and passed on byte for byte into a pipe")
    func execEscapesOnATerminal() async throws {
        try await withSandbox(.init(nodes: 1, noChain: true)) { sandbox in
            let argv = [
                TestPaths.product("fleet"), "exec", "-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts,
                "--", #"printf 'a\033]0;owned\007\tb\n'"#,
            ]
            let piped = try await ProcessRunner.runAsync(argv, environment: ["NO_COLOR": "1"])
            #expect(piped.exitCode == 0, "\(piped.output)\(piped.errorOutput)")
            #expect(piped.output.contains("a\u{1B}]0;owned\u{07}\tb\n"))

            // `script` gives fleet a pseudo-terminal as stdout.
            let onTTY = try await ProcessRunner.runAsync(
                ["script", "-qec", ShellQuote.command(argv), "/dev/null"], environment: ["NO_COLOR": "1"]
            )
            #expect(onTTY.exitCode == 0, "\(onTTY.output)")
            #expect(onTTY.output.contains(#"a\x1b]0;owned\x07"# + "\tb"), "\(onTTY.output.debugDescription)")
            #expect(!onTTY.stdout.contains(0x1B) && !onTTY.stdout.contains(0x07), "\(onTTY.output.debugDescription)")
        }
    }
}
