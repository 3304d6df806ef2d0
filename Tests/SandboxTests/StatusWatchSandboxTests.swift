import FleetTestSupport
import Foundation
import Testing

/// `fleet status --watch` end to end: the built binary against real sshds, sessions kept open and reused,
/// a dropped session reconnected, Ctrl-C ending it cleanly.
@Suite("fleet status --watch on a sandbox", .tags(.chain), .timeLimit(.minutes(3)))
struct StatusWatchSandboxTests {
    /// Logins sshd accepted on `node` so far (its `LogLevel VERBOSE` log).
    static func logins(_ node: Sandbox.Node) -> Int {
        let log = (try? String(contentsOfFile: node.dir + "/sshd.log", encoding: .utf8)) ?? ""
        return log.components(separatedBy: "Accepted publickey").count - 1
    }

    /// The complete frames printed so far: each starts with its `--- ` header line and ends with the summary.
    static func frames(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var frames: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--- ") {
                frames.append(String(line) + "\n")
            } else if !frames.isEmpty {
                frames[frames.count - 1] += line + "\n"
            }
        }
        return frames.filter { $0.contains(" nodes, ") }
    }

    static func watch(_ sandbox: Sandbox, _ extra: [String]) -> [String] {
        ["status", "--watch", "--interval", "300ms", "--lag", "1000000"] + extra
            + ["-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts]
    }

    /// Sends SIGINT and waits for the process to end.
    static func interrupt(_ process: Process) async throws {
        kill(process.processIdentifier, SIGINT)
        try await waitUntil("fleet to exit after SIGINT") { !process.isRunning }
    }

    @Test("one login per node; a killed session shows unreachable, then reconnects; SIGINT exits 0, sessions closed")
    func reusesAndReconnects() async throws {
        try await withSandbox(.init(nodes: 4)) { sandbox in
            let out = sandbox.root + "/watch.log"
            try await BackgroundProcess.with(TestPaths.product("fleet"), Self.watch(sandbox, []), log: out) { fleet in
                try await waitUntil("three refreshes with every node reachable", timeout: .seconds(60)) {
                    Self.frames(out).filter { $0.contains("4/4 reachable") }.count >= 3
                }
                for node in sandbox.nodes {
                    #expect(Self.logins(node) == 1, "\(node.name): sessions must be reused")
                }

                let victim = sandbox.nodes[0]
                let sessions = ProcessProbe.descendants(of: try #require(victim.sshdPid))
                #expect(!sessions.isEmpty, "\(victim.name)'s sshd has no per-connection process")
                let before = Self.frames(out).count
                for pid in sessions { kill(pid, SIGKILL) }
                var down = 0
                try await waitUntil("\(victim.name) shown unreachable while the others refresh") {
                    let frames = Self.frames(out)
                    guard
                        let index = frames.indices.dropFirst(before).first(where: {
                            frames[$0].contains("3/4 reachable")
                                && frames[$0].contains("\(victim.name) could not be read")
                        })
                    else { return false }
                    down = index
                    return true
                }
                try await waitUntil("\(victim.name) back after reconnecting") {
                    Self.frames(out).dropFirst(down + 1).contains { $0.contains("4/4 reachable") }
                }
                #expect(Self.logins(victim) == 2, "one reconnect")
                for node in sandbox.nodes.dropFirst() {
                    #expect(Self.logins(node) == 1, "\(node.name) kept its session")
                }

                try await Self.interrupt(fleet)
                #expect(fleet.terminationReason == .exit)
                #expect(fleet.terminationStatus == 0, "\((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
                try await waitUntil("every node's session closed (no per-connection sshd left)") {
                    sandbox.nodes.allSatisfy { ProcessProbe.descendants(of: $0.sshdPid!).isEmpty }
                }
            }

            let jsonOut = sandbox.root + "/watch.jsonl"
            try await BackgroundProcess.with(
                TestPaths.product("fleet"), Self.watch(sandbox, ["--json"]), log: jsonOut
            ) { fleet in
                func lines() -> [String] {
                    ((try? String(contentsOfFile: jsonOut, encoding: .utf8)) ?? "").split(separator: "\n").map(
                        String.init)
                }
                try await waitUntil("three JSON refreshes", timeout: .seconds(60)) { lines().count >= 3 }
                try await Self.interrupt(fleet)
                #expect(fleet.terminationStatus == 0)
                for line in lines() {
                    let report = try #require(
                        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                    #expect((report["nodes"] as? [Any])?.count == 4)
                    #expect(report["reachable"] as? Int == 4)
                    #expect(report["refresh_ms"] is Int)
                    #expect(report["time"] is String)
                }
            }
        }
    }

    /// sha256 and version of `host`'s binary `name` in the last complete line of a `--watch --json` log.
    static func binary(_ log: String, host: String, name: String) -> (sha256: String?, version: String?)? {
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        for line in lines.reversed() {
            guard let report = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let nodes = report["nodes"] as? [[String: Any]]
            else { continue }
            let status = nodes.first { $0["host"] as? String == host }?["status"] as? [String: Any]
            let binaries = status?["binaries"] as? [[String: Any]] ?? []
            guard let binary = binaries.first(where: { $0["name"] as? String == name }) else { return nil }
            return (binary["sha256"] as? String, binary["version"] as? String)
        }
        return nil
    }

    @Test("a binary rewritten while the watch runs shows its new sha256 and version, though the old one was cached")
    func rewrittenBinary() async throws {
        try await withSandbox(.init(nodes: 2)) { sandbox in
            let node = sandbox.nodes[0]
            let bin = node.home + "/cosmovisor/upgrades/v2/bin/mockchaind"
            try FileManager.default.createDirectory(
                atPath: (bin as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: try #require(sandbox.releases["v2"]).path, toPath: bin)
            let v3 = try #require(sandbox.releases["v3"])
            let user = try #require(getpwnam(sandbox.user), "no user \(sandbox.user)")
            let cache = String(cString: user.pointee.pw_dir) + "/.cache/fleet-probe/"
            let key = try await ProcessRunner.runAsync(["stat", "-L", "-c", "%d_%i_%s_%.9Y_%.9Z", bin])
            try #require(key.exitCode == 0)
            let entry = cache + key.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let log = sandbox.root + "/watch.jsonl"
            try await BackgroundProcess.with(
                TestPaths.product("fleet"), Self.watch(sandbox, ["--json"]), log: log
            ) { fleet in
                try await waitUntil(
                    "the watch to show v2, and the node's probe to have cached it", timeout: .seconds(60)
                ) {
                    Self.binary(log, host: node.name, name: "v2")?.version == "v2"
                        && FileManager.default.fileExists(atPath: entry)
                }
                #expect(Self.binary(log, host: node.name, name: "v2")?.sha256 == sandbox.releases["v2"]?.sha256)
                // New bytes in the same inode (cp writes in place): only the ctime tells the cache.
                let copied = try await ProcessRunner.runAsync(["cp", v3.path, bin])
                try #require(copied.exitCode == 0)
                try await waitUntil("the watch to show the rewritten binary", timeout: .seconds(30)) {
                    let shown = Self.binary(log, host: node.name, name: "v2")
                    return shown?.sha256 == v3.sha256 && shown?.version == "v3"
                }
                try await Self.interrupt(fleet)
                #expect(fleet.terminationStatus == 0)
            }
        }
    }
}
