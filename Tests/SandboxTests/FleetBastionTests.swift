import FleetTestSupport
import Foundation
import Testing

/// `fleet` end to end through bastions: the inventory's ssh arguments and ~/.ssh/config, one bastion
/// connection for many hosts, and ProxyCommand refused without being run.
@Suite("fleet through bastions", .tags(.sshd), .timeLimit(.minutes(3)))
struct FleetBastionTests {
    /// Runs the built `fleet` with `home` as HOME (for ~/.ssh/config) and no ssh-agent.
    static func fleet(_ args: [String], home: String) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args,
            environment: ["HOME": home, "SSH_AUTH_SOCK": "", "NO_COLOR": "1"])
    }

    /// A HOME folder whose ~/.ssh/config is `config`.
    static func home(in folder: String, config: String) throws -> String {
        let home = folder + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try config.write(toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
        return home
    }

    @Test func sixteenHostsBehindOneBastionShareOneConnection() async throws {
        try await withBastionLab(hosts: 2, targetPorts: 16) { lab in
            let bastion = lab.hosts[0]
            // The bastion's key comes from its own Host block; the hosts' from the inventory.
            let home = try Self.home(
                in: lab.scratch,
                config: """
                    Match exec "false"
                        User nobody
                    Host \(bastion.address)
                        IdentityFile \(lab.clientKey)
                    """)
            let jump = "\(lab.user)@\(bastion.address):\(bastion.ports[0])"
            var inventory = "[nodes]\n"
            for (index, port) in lab.target.ports.enumerated() {
                inventory += "node-\(index + 1) ansible_host=\(lab.target.address) ansible_port=\(port)\n"
            }
            inventory += """
                [nodes:vars]
                ansible_user=\(lab.user)
                ansible_ssh_private_key_file=\(lab.clientKey)
                ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o ProxyJump=\(jump)'
                daemon_name=mockchaind
                daemon_home=\(lab.remoteDirectory)

                """
            let path = lab.scratch + "/inventory.ini"
            try inventory.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await Self.fleet(
                ["exec", "-i", path, "-f", "16", "--known-hosts", lab.knownHosts, "--json", "--", "echo", "hi"],
                home: home)
            #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
            let records = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
            #expect(records.count == 16)
            #expect(records.allSatisfy { $0["stdout"] as? String == "hi\n" })
            #expect(result.errorOutput.components(separatedBy: "Match blocks").count == 2)

            #expect(lab.acceptedLogins(on: bastion) == 1)
            #expect(lab.connections(on: bastion) == 1)
            #expect(
                Set(lab.directTCPIPRequests(on: bastion)) == Set(lab.target.ports.map { "\(lab.target.address) \($0)" })
            )
            #expect(lab.directTCPIPRequests(on: bastion).count == 16)
            #expect(lab.acceptedLogins(on: lab.target) == 16)
            // sshd gives a new channel the lowest free number: at most 10 open at once means numbers 0...9, give
            // or take one: sshd frees a slot on its next pass after both sides closed it, so the open request
            // that follows our close in the same read can still find that slot taken. Without the cap the 16
            // tunnels would open together and take numbers up to 15.
            let numbers = lab.lines(bastion, containing: "new direct-tcpip").compactMap { line -> Int? in
                guard let range = line.range(of: "channel ") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            #expect(numbers.count == 16)
            #expect(numbers.allSatisfy { $0 <= 10 }, "\(numbers)")

            // fleet status reads every node through the bastion too (no chain runs there: read, not healthy).
            let status = try await Self.fleet(
                ["status", "-i", path, "-f", "16", "--known-hosts", lab.knownHosts], home: home)
            #expect(status.output.contains("16 nodes, 16 reachable"), "\(status.output)\(status.errorOutput)")
            #expect(lab.acceptedLogins(on: bastion) == 2)
            // Each run said goodbye to the bastion before exiting (its thread outlives the last host by the
            // idle linger), rather than leaving libssh2 running into OpenSSL's exit-time cleanup.
            #expect(
                lab.lines(bastion, containing: "Received disconnect").count == 2,
                "\(lab.lines(bastion, containing: "isconnect"))")
        }
    }

    @Test func proxyCommandIsRefusedPerHostAndNeverRun() async throws {
        try await withTemporaryDirectory("fleet-proxycommand") { folder in
            let marker = folder + "/proxy-command-ran"
            let home = try Self.home(
                in: folder,
                config: """
                    Host from-config
                        ProxyCommand touch \(marker)
                    """)
            let inventory = """
                from-config ansible_host=127.0.0.1
                from-inventory ansible_host=127.0.0.1 ansible_ssh_extra_args='-o "ProxyCommand=touch \(marker)"'

                """
            try inventory.write(toFile: folder + "/inventory.ini", atomically: true, encoding: .utf8)
            let result = try await Self.fleet(
                [
                    "exec", "-i", folder + "/inventory.ini", "--known-hosts", folder + "/known_hosts", "--json", "--",
                    "true",
                ],
                home: home)
            #expect(result.exitCode == 1, "\(result.output)\(result.errorOutput)")
            let records = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
            let errors = Dictionary(
                uniqueKeysWithValues: records.map { ($0["host"] as! String, $0["error"] as? String ?? "") })
            #expect(
                errors["from-config"]?.contains("ProxyCommand is set for from-config (~/.ssh/config line 2)") == true)
            #expect(errors["from-inventory"]?.contains("(ansible_ssh_extra_args)") == true)
            #expect(errors.values.allSatisfy { $0.contains("Use ProxyJump") })
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test func aBastionThatNeverAnswersFailsEveryHostBehindItNamingTheBastion() async throws {
        try await withTemporaryDirectory("fleet-dead-bastion") { folder in
            // It accepts TCP (into the kernel's backlog) and never sends an SSH banner.
            let dead = try SilentListener()
            let home = try Self.home(in: folder, config: "")
            let bastion = "fleetsbx@127.0.0.1:\(dead.port)"
            let inventory = """
                [nodes]
                node-1 ansible_host=10.255.0.1
                node-2 ansible_host=10.255.0.2

                [nodes:vars]
                ansible_user=fleetsbx
                ansible_ssh_common_args='-J \(bastion)'
                daemon_name=mockchaind
                daemon_home=/nonexistent

                """
            try inventory.write(toFile: folder + "/inventory.ini", atomically: true, encoding: .utf8)
            try "".write(toFile: folder + "/known_hosts", atomically: true, encoding: .utf8)
            let options = [
                "-i", folder + "/inventory.ini", "--known-hosts", folder + "/known_hosts", "--timeout", "4s",
            ]
            let exec = try await Self.fleet(options + ["exec", "--json", "--", "true"], home: home)
            #expect(exec.exitCode == 1, "\(exec.output)\(exec.errorOutput)")
            let records = try #require(try JSONSerialization.jsonObject(with: exec.stdout) as? [[String: Any]])
            let status = try await Self.fleet(options + ["status", "--json"], home: home)
            let report = try #require(try JSONSerialization.jsonObject(with: status.stdout) as? [String: Any])
            let nodes = try #require(report["nodes"] as? [[String: Any]], "\(status.output)\(status.errorOutput)")
            for (command, hosts) in [("exec", records), ("status", nodes)] {
                let errors = Dictionary(
                    uniqueKeysWithValues: hosts.map { ($0["host"] as? String ?? "?", $0["error"] as? String ?? "") })
                #expect(errors.keys.sorted() == ["node-1", "node-2"], "\(command): \(hosts)")
                // Each host's error names the bastion and says it timed out, not just "no answer within 4s".
                for (host, error) in errors {
                    #expect(error.contains("bastion \(bastion) timed out"), "\(command) \(host): \(error)")
                }
            }
            withExtendedLifetime(dead) {}
        }
    }
}
