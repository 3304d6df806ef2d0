import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet stage` as operators really run it, on a real 2-node sandbox: odd local files, inventories
/// edited on Windows, trees left by older cosmovisor versions, and nodes that cannot take the file.
@Suite("fleet stage in operators' situations", .tags(.sshd), .timeLimit(.minutes(4)))
struct StageOperatorSandboxTests {
    static func fleet(_ sandbox: Sandbox, _ args: [String], inventory: String? = nil) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet"), "stage"] + args
                + ["-i", inventory ?? sandbox.inventory, "--known-hosts", sandbox.knownHosts],
            environment: ["NO_COLOR": "1"])
    }

    static func upgrades(_ node: Sandbox.Node) -> String { node.home + "/cosmovisor/upgrades" }

    @Test(
        "FILE: a FIFO, a device or an empty file is exit 2 before any connection; a symlink stages the file it leads to; -l matching nothing is exit 2; --parallel 1 stages all"
    )
    func localFiles() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage-files") { dir in
                let before = StageSandbox.connectionCounts(sandbox)
                let fifo = dir + "/fifo"
                #expect(mkfifo(fifo, 0o644) == 0)
                let empty = dir + "/empty"
                #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
                let cases = [
                    (fifo, "cannot read \(fifo): it is a FIFO, not a regular file"),
                    ("/dev/zero", "cannot read /dev/zero: it is a device, not a regular file"),
                    (empty, "cannot read \(empty): it is empty (0 bytes)"),
                ]
                for (file, message) in cases {
                    let result = try await Self.fleet(sandbox, ["v2", file])
                    #expect(result.exitCode == 2, "\(file): \(result.output)\(result.errorOutput)")
                    #expect(result.errorOutput.contains(message), "\(result.errorOutput)")
                }
                let file = try await StageSandbox.randomFile(dir, "gaiad-v2", bytes: 100_000)
                let none = try await Self.fleet(sandbox, ["v2", file, "-l", "validator-9"])
                #expect(none.exitCode == 2)
                #expect(
                    none.errorOutput.contains("'validator-9' in --limit 'validator-9' matches no host"),
                    "\(none.errorOutput)")
                #expect(StageSandbox.connectionCounts(sandbox) == before)

                // Release folders often hold `gaiad -> gaiad-v2`: the file it leads to is staged, its size too.
                let link = dir + "/gaiad"
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "gaiad-v2")
                let digest = try await StageSandbox.sha256(file)
                let staged = try await Self.fleet(sandbox, ["v2", link, "--parallel", "1", "--json"])
                #expect(staged.exitCode == 0, "\(staged.output)\(staged.errorOutput)")
                let hosts = try StageSandbox.hosts(staged)
                for node in sandbox.nodes {
                    #expect(hosts[node.name]?["result"] as? String == "staged", "\(node.name): \(staged.output)")
                    #expect(hosts[node.name]?["bytes"] as? Int == 100_000)
                    #expect(try await StageSandbox.sha256(StageSandbox.target(node)) == digest)
                }
            }
        }
    }

    @Test(
        "an inventory saved on Windows; names with capitals, recased or not; trees of older cosmovisor versions; a staged binary that is a link elsewhere"
    )
    func layouts() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage-layouts") { dir in
                let (recased, verbatim) = (sandbox.nodes[0], sandbox.nodes[1])
                // A tree by an older cosmovisor: genesis/ only, no `current` link, no upgrades/.
                try FileManager.default.removeItem(atPath: recased.home + "/cosmovisor/current")
                try FileManager.default.removeItem(atPath: Self.upgrades(recased))
                // Saved on Windows: a UTF-8 BOM and CRLF line ends; one host keeps the name's case.
                var text = try String(contentsOfFile: sandbox.inventory, encoding: .utf8)
                text = text.replacingOccurrences(
                    of: "\n\(verbatim.name) ", with: "\n\(verbatim.name) cosmovisor_disable_recase=true ")
                let windows = dir + "/inventory.ini"
                try (Data([0xEF, 0xBB, 0xBF]) + Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)).write(
                    to: URL(fileURLWithPath: windows))
                let file = try await StageSandbox.randomFile(dir, "gaiad", bytes: 50_000)
                let digest = try await StageSandbox.sha256(file)
                let first = try await Self.fleet(sandbox, ["v2.0.0-Rho", file], inventory: windows)
                #expect(first.exitCode == 0, "\(first.output)\(first.errorOutput)")
                #expect(try await StageSandbox.sha256(StageSandbox.target(recased, "v2.0.0-rho")) == digest)
                #expect(try await StageSandbox.sha256(StageSandbox.target(verbatim, "v2.0.0-Rho")) == digest)
                #expect(try FileManager.default.contentsOfDirectory(atPath: Self.upgrades(recased)) == ["v2.0.0-rho"])

                // upgrades/<name>/ made by hand without bin/: staged into it.
                try FileManager.default.createDirectory(
                    atPath: Self.upgrades(verbatim) + "/v3", withIntermediateDirectories: true)
                try Self.giveToNodeUser(sandbox, Self.upgrades(verbatim) + "/v3")
                let bare = try await Self.fleet(sandbox, ["v3", file, "-l", verbatim.name])
                #expect(bare.exitCode == 0, "\(bare.output)\(bare.errorOutput)")
                #expect(try await StageSandbox.sha256(StageSandbox.target(verbatim, "v3")) == digest)

                // A staged binary that is a link to a file elsewhere: the same file is already staged; another
                // is refused; --force replaces the link with the file and leaves the linked file alone.
                let elsewhere = sandbox.runRoot + "/shared-gaiad"
                try FileManager.default.copyItem(atPath: file, toPath: elsewhere)
                let target = StageSandbox.target(verbatim, "v4")
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: elsewhere)
                try Self.giveToNodeUser(sandbox, Self.upgrades(verbatim) + "/v4")
                let linked = try await Self.fleet(sandbox, ["v4", file, "-l", verbatim.name])
                #expect(linked.output.contains("0 staged, 1 already staged"), "\(linked.output)\(linked.errorOutput)")
                let other = try await StageSandbox.randomFile(dir, "gaiad-other", bytes: 60_000)
                let refused = try await Self.fleet(sandbox, ["v4", other, "-l", verbatim.name])
                #expect(refused.exitCode == 1)
                #expect(refused.output.contains("staged binary differs: \(digest) vs "), "\(refused.output)")
                let forced = try await Self.fleet(sandbox, ["v4", other, "-l", verbatim.name, "--force"])
                #expect(forced.exitCode == 0, "\(forced.output)\(forced.errorOutput)")
                #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: target)) == nil)
                #expect(try await StageSandbox.sha256(target) == (try await StageSandbox.sha256(other)))
                #expect(try await StageSandbox.sha256(elsewhere) == digest)
            }
        }
    }

    @Test(
        "a folder the login cannot write and a full disk fail naming host and path with nothing left; a FILE changed during the upload is caught by the sha256"
    )
    func nodesThatCannotTakeIt() async throws {
        guard geteuid() == 0 else {
            Issue.record("this test needs root (a small tmpfs stands for a full disk): run it as root")
            return
        }
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage-nodes") { dir in
                let (first, second) = (sandbox.nodes[0], sandbox.nodes[1])
                let file = try await StageSandbox.randomFile(dir, "gaiad", bytes: 1_500_000)

                // upgrades/v3 belongs to root (made by hand with sudo).
                let locked = Self.upgrades(first) + "/v3"
                try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
                let denied = try await Self.fleet(sandbox, ["v3", file, "-l", first.name])
                #expect(denied.exitCode == 1)
                #expect(
                    denied.output.contains(
                        "\(first.name): failed: \(first.host): mkdir \(locked)/bin failed: permission denied"),
                    "\(denied.output)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == [])

                // A full disk: upgrades/v4 is a 512 KiB tmpfs of the node user's.
                let small = Self.upgrades(first) + "/v4"
                try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
                let user = try #require(getpwnam(sandbox.user))
                let mount = try await ProcessRunner.runAsync([
                    "/usr/bin/mount", "-t", "tmpfs", "-o", "size=512k,mode=0755,uid=\(user.pointee.pw_uid)", "tmpfs",
                    small,
                ])
                #expect(mount.exitCode == 0, "\(mount.errorOutput)")
                let full: CommandResult
                do {
                    full = try await Self.fleet(sandbox, ["v4", file, "-l", first.name])
                    #expect(try FileManager.default.contentsOfDirectory(atPath: small) == [])
                } catch {
                    _ = try? await ProcessRunner.runAsync(["/usr/bin/umount", small])
                    throw error
                }
                let unmount = try await ProcessRunner.runAsync(["/usr/bin/umount", small])
                #expect(unmount.exitCode == 0, "\(unmount.errorOutput)")
                #expect(full.exitCode == 1)
                #expect(
                    full.output.contains(
                        "\(first.name): failed: not enough free space on the node: 512 KiB free where the target goes, 1.4 MiB needed"
                    ), "\(full.output)")

                // The FILE changes after fleet hashed it: one node at a time, the second one's sshd held
                // (SIGSTOP) until the first is staged, then the file is rewritten and the second let go.
                let sshd = try #require(second.sshdPid)
                #expect(kill(sshd, SIGSTOP) == 0)
                async let run = Self.fleet(sandbox, ["v5", file, "--parallel", "1"])
                let firstStaged: Void? = try? await waitUntil("\(first.name) to be staged", timeout: .seconds(60)) {
                    FileManager.default.fileExists(atPath: StageSandbox.target(first, "v5"))
                }
                let rewritten = try? await StageSandbox.randomFile(dir, "gaiad", bytes: 1_500_000)
                kill(sshd, SIGCONT)
                let changed = try await run
                #expect(firstStaged != nil && rewritten != nil)
                #expect(changed.exitCode == 1, "\(changed.output)\(changed.errorOutput)")
                #expect(changed.output.contains("1 staged, 0 already staged, 0 refused, 1 failed"), "\(changed.output)")
                #expect(changed.output.contains("\(second.name): failed: "), "\(changed.output)")
                let target = StageSandbox.target(second, "v5")
                #expect(!FileManager.default.fileExists(atPath: target), "the changed file was staged")
                #expect(StageSandbox.temporaries(beside: target).isEmpty)
            }
        }
    }

    /// Hands `path` (made by this root test) to the node user, as the node's own tools would have made it.
    static func giveToNodeUser(_ sandbox: Sandbox, _ path: String) throws {
        let result = try ProcessRunner.run(["/usr/bin/chown", "-R", "-h", sandbox.user, path])
        #expect(result.exitCode == 0, "\(result.errorOutput)")
    }
}
