import FleetTestSupport
import Foundation
import Testing

/// `~`, `$HOME` and `${HOME}` in `daemon_home` end to end: the built binary against real sshd nodes, whose
/// login user (`fleetsbx`, shared by every node) has its own home directory.
@Suite("~ and $HOME in inventory paths on a sandbox", .tags(.sshd), .timeLimit(.minutes(3)))
struct NodeHomeSandboxTests {
    /// The login user's home directory on the nodes (every sandbox node logs in as the same user).
    static func loginHome(_ sandbox: Sandbox) throws -> String {
        guard let entry = getpwnam(sandbox.user) else {
            throw SandboxError(message: "no passwd entry for \(sandbox.user)")
        }
        return String(cString: entry.pointee.pw_dir)
    }

    /// Rewrites each named node's `daemon_home` in the sandbox inventory.
    static func setDaemonHomes(_ sandbox: Sandbox, _ homes: [String: String]) throws {
        var text = try String(contentsOfFile: sandbox.inventory, encoding: .utf8)
        for node in sandbox.nodes {
            guard let home = homes[node.name] else { continue }
            text = text.replacingOccurrences(of: "daemon_home=\(node.home) ", with: "daemon_home=\(home) ")
        }
        try text.write(toFile: sandbox.inventory, atomically: true, encoding: .utf8)
    }

    /// Runs `body` with a name unique to this test run, then removes `<login home>/<name>*` and whatever a
    /// literal `~`, `$HOME` or `${HOME}` directory in the login home holds under that name.
    static func withUniqueName(_ home: String, _ body: (String) async throws -> Void) async throws {
        let name = "fleet-nodehome-\(UUID().uuidString.prefix(8))"
        defer {
            let fm = FileManager.default
            for entry in (try? fm.contentsOfDirectory(atPath: home)) ?? [] where entry.hasPrefix(name) {
                try? fm.removeItem(atPath: home + "/" + entry)
            }
            for literal in ["~", "$HOME", "${HOME}"] {
                for entry in (try? fm.contentsOfDirectory(atPath: home + "/" + literal)) ?? []
                where entry.hasPrefix(name) {
                    try? fm.removeItem(atPath: home + "/" + literal + "/" + entry)
                }
                rmdir(home + "/" + literal)
            }
        }
        try await body(name)
    }

    static func fleet(_ sandbox: Sandbox, _ args: [String]) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + args + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts],
            environment: ["NO_COLOR": "1"])
    }

    /// The `key` entries of a `--json` report, by host name.
    static func byHost(_ result: CommandResult, _ key: String, name: String) throws -> [String: [String: Any]] {
        let report = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            "not JSON: \(result.output) \(result.errorOutput)")
        let entries = try #require(report[key] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: entries.map { ($0[name] as? String ?? "", $0) })
    }

    @Test(
        "fleet stage with daemon_home=~/DIR, $HOME/DIR and ${HOME}/DIR lands the binary under the login's home on the node, creating no literal ~ or $HOME directory"
    )
    func stage() async throws {
        try await withSandbox(.init(nodes: 3, noChain: true)) { sandbox in
            let home = try Self.loginHome(sandbox)
            try await Self.withUniqueName(home) { name in
                let forms = ["~/\(name)-a", "$HOME/\(name)-b", "${HOME}/\(name)-c"]
                let wanted = ["\(name)-a", "\(name)-b", "\(name)-c"].map { home + "/" + $0 }
                try Self.setDaemonHomes(
                    sandbox, Dictionary(uniqueKeysWithValues: zip(sandbox.nodes.map(\.name), forms)))
                try await withTemporaryDirectory("fleet-nodehome") { dir in
                    let file = try await StageSandbox.randomFile(dir, "v2.bin", bytes: 1 << 20)
                    let digest = try await StageSandbox.sha256(file)
                    let result = try await Self.fleet(sandbox, ["stage", "v2", file, "--json"])
                    #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
                    let hosts = try Self.byHost(result, "hosts", name: "host")
                    for (node, daemonHome) in zip(sandbox.nodes, wanted) {
                        let path = daemonHome + "/cosmovisor/upgrades/v2/bin/mockchaind"
                        #expect(hosts[node.name]?["result"] as? String == "staged", "\(node.name)")
                        #expect(hosts[node.name]?["path"] as? String == path, "\(node.name)")
                        #expect(FileManager.default.fileExists(atPath: path), "\(node.name): nothing at \(path)")
                        if FileManager.default.fileExists(atPath: path) {
                            #expect(try await StageSandbox.sha256(path) == digest)
                        }
                    }
                    for literal in ["~", "$HOME", "${HOME}"] {
                        let entries = (try? FileManager.default.contentsOfDirectory(atPath: home + "/" + literal)) ?? []
                        #expect(!entries.contains { $0.hasPrefix(name) }, "\(home)/\(literal) holds \(entries)")
                    }
                }
            }
        }
    }

    @Test("fleet status reads nodes whose daemon_home is ~/DIR or $HOME/DIR, reporting the absolute path")
    func status() async throws {
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            let home = try Self.loginHome(sandbox)
            try await Self.withUniqueName(home) { name in
                // The node trees live in the sandbox folder: reach them from the login's home through links.
                let links = sandbox.nodes.enumerated().map { home + "/\(name)-\($0.offset)" }
                for (node, link) in zip(sandbox.nodes, links) {
                    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: node.home)
                }
                let forms = ["~/\(name)-0", "$HOME/\(name)-1"]
                try Self.setDaemonHomes(
                    sandbox, Dictionary(uniqueKeysWithValues: zip(sandbox.nodes.map(\.name), forms)))
                let result = try await Self.fleet(sandbox, ["status", "--json"])
                let nodes = try Self.byHost(result, "nodes", name: "host")
                for (node, link) in zip(sandbox.nodes, links) {
                    let status = try #require(
                        nodes[node.name]?["status"] as? [String: Any], "\(node.name): \(result.output)")
                    #expect(status["daemon_home"] as? String == link, "\(node.name)")
                    let binaries = status["binaries"] as? [[String: Any]] ?? []
                    #expect(!binaries.isEmpty, "\(node.name): no binary read through \(link): \(status)")
                }
            }
        }
    }
}
