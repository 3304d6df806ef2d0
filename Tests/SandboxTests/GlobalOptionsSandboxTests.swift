import FleetTestSupport
import Foundation
import Testing

/// Every global option works before and after the command, through the built `fleet` binary.
@Suite("fleet global options before or after the command", .tags(.sshd), .timeLimit(.minutes(3)))
struct GlobalOptionsSandboxTests {
    /// Runs `fleet` with `options` before `command` (`before`) or right after it; HOME is an empty directory
    /// (no ~/.ssh/known_hosts, no ~/.ansible.cfg) and the working directory has no inventory.
    static func fleet(
        _ options: [String], _ command: [String], before: Bool, in dir: String, remote: [String] = []
    ) async throws -> CommandResult {
        let arguments = (before ? options + command : command + options) + (remote.isEmpty ? [] : ["--"] + remote)
        return try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + arguments,
            environment: [
                "HOME": dir, "NO_COLOR": "1", "FLEET_INVENTORY": "", "ANSIBLE_INVENTORY": "", "ANSIBLE_CONFIG": "",
            ],
            directory: dir
        )
    }

    @Test("-i, -l, -f, --json, --known-hosts, --accept-new-host-keys, -v and --timeout, each both ways")
    func eachOptionBothWays() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory { dir in
                let names = sandbox.nodes.map(\.name)
                let inventory = ["-i", sandbox.inventory]
                let trust = inventory + ["--known-hosts", sandbox.knownHosts]
                for before in [true, false] {
                    let way = before ? "before the command" : "after the command"
                    // -i: without it there is no inventory in the working directory.
                    let listed = try await Self.fleet(
                        inventory + ["--json"], ["inventory", "list"], before: before, in: dir)
                    #expect(listed.exitCode == 0, "\(way): \(listed.errorOutput)")
                    #expect(names.allSatisfy(listed.output.contains), "-i \(way): \(listed.output)")
                    // --json: the list is JSON, not a table.
                    #expect(listed.output.hasPrefix("["), "--json \(way)")
                    // -l: one host selected.
                    let limited = try await Self.fleet(
                        inventory + ["-l", names[0], "--json"], ["inventory", "list"], before: before, in: dir)
                    #expect(limited.output.contains(names[0]) && !limited.output.contains(names[1]), "-l \(way)")
                    // -f: validated, so 0 is a usage error, 1 works.
                    let zero = try await Self.fleet(
                        inventory + ["-f", "0"], ["inventory", "list"], before: before, in: dir)
                    #expect(zero.exitCode == 64, "-f 0 \(way): \(zero.errorOutput)")
                    // --known-hosts: HOME has no known_hosts, so without it every host key is unknown.
                    let trusted = try await Self.fleet(
                        trust + ["-f", "1"], ["exec"], before: before, in: dir, remote: ["true"])
                    #expect(trusted.exitCode == 0, "--known-hosts \(way): \(trusted.output)\(trusted.errorOutput)")
                    let untrusted = try await Self.fleet(inventory, ["exec"], before: before, in: dir, remote: ["true"])
                    #expect(untrusted.exitCode == 1, "no --known-hosts \(way)")
                    // --accept-new-host-keys: records the keys in a fresh known_hosts.
                    let fresh = dir + "/known_hosts-\(before)"
                    #expect(FileManager.default.createFile(atPath: fresh, contents: nil))
                    let accepted = try await Self.fleet(
                        inventory + ["--known-hosts", fresh, "--accept-new-host-keys"], ["exec"], before: before,
                        in: dir, remote: ["true"])
                    #expect(accepted.exitCode == 0, "--accept-new-host-keys \(way): \(accepted.errorOutput)")
                    let recorded = try String(contentsOfFile: fresh, encoding: .utf8)
                    #expect(recorded.split(separator: "\n").count >= names.count, "keys recorded \(way)")
                    // -v: the inventory's source, each host's SSH steps and its total time, on stderr.
                    let verbose = try await Self.fleet(
                        trust + ["-v"], ["exec"], before: before, in: dir, remote: ["true"])
                    #expect(verbose.exitCode == 0)
                    for step in [
                        "inventory: \(sandbox.inventory) (from -i)", "tcp connect", "handshake",
                        "host key check", "authentication", "exec", "host done",
                    ] {
                        #expect(verbose.errorOutput.contains(step), "-v \(way) lacks \(step): \(verbose.errorOutput)")
                    }
                    #expect(verbose.errorOutput.contains("[\(names[0])]"), "-v names the host \(way)")
                    // --timeout: a command longer than it fails on every host.
                    let cut = try await Self.fleet(
                        trust + ["--timeout", "1s"], ["exec"], before: before, in: dir, remote: ["sleep", "600"])
                    #expect(cut.exitCode == 1, "--timeout \(way): \(cut.output)")
                }
            }
        }
    }

    @Test("a node that accepts TCP but never speaks SSH fails at --timeout; the others are read")
    func stuckNodeHoldsNobodyUp() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory { dir in
                let listener = try SilentListener()
                defer { listener.close() }
                let inventory = dir + "/inventory.ini"
                let text = try String(contentsOfFile: sandbox.inventory, encoding: .utf8)
                try (text + "\n[stuck]\nstuck-1 ansible_host=127.0.0.1 ansible_port=\(listener.port)\n")
                    .write(toFile: inventory, atomically: true, encoding: .utf8)
                let result = try await Self.fleet(
                    ["-i", inventory, "--known-hosts", sandbox.knownHosts, "--timeout", "2s", "--json"], ["exec"],
                    before: true, in: dir, remote: ["echo", "alive"])
                #expect(result.exitCode == 1)
                let records = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
                for record in records {
                    let host = record["host"] as? String ?? ""
                    if host == "stuck-1" {
                        #expect((record["error"] as? String)?.isEmpty == false, "stuck-1 fails: \(record)")
                    } else {
                        #expect(record["stdout"] as? String == "alive\n", "\(host) answered: \(record)")
                    }
                }
                #expect(records.count == sandbox.nodes.count + 1)
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that completes connections (the kernel's backlog) but never sends a byte.
struct SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw SandboxError(message: "cannot listen on 127.0.0.1: errno \(errno)") }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
