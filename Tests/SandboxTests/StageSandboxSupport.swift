import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// What the `fleet stage` sandbox suites share: running the built binary, reading its `--json`, and
/// looking at the nodes' files and sshd logs directly.
enum StageSandbox {
    /// Runs `fleet stage ARGS` against the sandbox's inventory with strict host keys.
    static func stage(
        _ sandbox: Sandbox, _ args: [String], knownHosts: String? = nil
    ) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            [TestPaths.product("fleet"), "stage"] + args
                + ["-i", sandbox.inventory, "--known-hosts", knownHosts ?? sandbox.knownHosts],
            environment: ["NO_COLOR": "1"]
        )
    }

    /// The `hosts` entries of a `--json` report, by host name.
    static func hosts(_ result: CommandResult) throws -> [String: [String: Any]] {
        let report = try #require(
            try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            "not JSON: \(result.output) \(result.errorOutput)")
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: hosts.map { ($0["host"] as? String ?? "", $0) })
    }

    /// `<home>/cosmovisor/upgrades/<dir>/bin/mockchaind` on `node`.
    static func target(_ node: Sandbox.Node, _ directory: String = "v2") -> String {
        node.home + "/cosmovisor/upgrades/\(directory)/bin/mockchaind"
    }

    /// Temp files of an upload or download beside `target`.
    static func temporaries(beside target: String) -> [String] {
        let directory = (target as NSString).deletingLastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { $0.contains(".fleet-") }
    }

    /// A file of `bytes` random bytes in `directory`, written off the cooperative pool.
    static func randomFile(_ directory: String, _ name: String, bytes: Int) async throws -> String {
        let path = directory + "/" + name
        try await runOffPool {
            guard let random = FileHandle(forReadingAtPath: "/dev/urandom") else {
                throw SandboxError(message: "cannot open /dev/urandom")
            }
            try random.readData(ofLength: bytes).write(to: URL(fileURLWithPath: path))
        }
        return path
    }

    /// The file's sha256 (hex), computed off the cooperative pool.
    static func sha256(_ path: String) async throws -> String {
        try await runOffPool { try FileDigest.sha256(ofFile: path) }
    }

    /// Inode, mtime (ns) and permission bits of `path`.
    static func identity(_ path: String) throws -> (inode: UInt64, mtime: Int, mode: UInt32) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SandboxError(message: "\(path): cannot stat") }
        return (
            UInt64(info.st_ino), info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec,
            UInt32(info.st_mode) & 0o7777
        )
    }

    /// How many connections each node's sshd has logged (`LogLevel VERBOSE` logs every one).
    static func connectionCounts(_ sandbox: Sandbox) -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: sandbox.nodes.map { node in
                let log = (try? String(contentsOfFile: node.dir + "/sshd.log", encoding: .utf8)) ?? ""
                return (node.name, log.components(separatedBy: "Connection from ").count - 1)
            })
    }

    /// PIDs of every descendant of `pid` (for sshd: its per-connection processes and their children).
    static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var found: [Int32] = []
        var frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }
}
