import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `run` and `status` read `cosmovisor/current` through FleetCore's one function: the relative links of
/// cosmovisor ≥ 1.7 and the absolute ones of ≤ 1.6 select the same binary; a dangling link, one to a file
/// or one outside the layout is an error naming the link and its target, never a silent genesis.
@Suite("current link forms", .tags(.processes), .timeLimit(.minutes(1)))
struct CurrentLinkFormsTests {
    /// A home with `genesis` and `upgrades/v2` scripts that print their name and arguments, and `data/`.
    struct Home {
        var dir: String
        var home: String { dir + "/home" }
        var root: String { home + "/cosmovisor" }
        var link: String { root + "/current" }
        var environment: [String: String] {
            AgentCLI.plainLogs.merging(
                [
                    "DAEMON_HOME": home, "DAEMON_NAME": "appd", "UNSAFE_SKIP_BACKUP": "true",
                    "NODE_AGENT_RPC": "http://127.0.0.1:1", "XDG_CACHE_HOME": dir + "/cache",
                ],
                uniquingKeysWith: { $1 }
            )
        }

        init(_ dir: String) throws {
            self.dir = dir
            try AgentCLI.script(dir + "/home/cosmovisor/genesis/bin/appd", #"echo "genesis-ran $*"; touch "$0.ran""#)
            try AgentCLI.script(dir + "/home/cosmovisor/upgrades/v2/bin/appd", #"echo "v2-ran $*""#)
            try Data().write(to: URL(fileURLWithPath: dir + "/home/cosmovisor/upgrades/file"))
            try FileManager.default.createDirectory(atPath: dir + "/home/data", withIntermediateDirectories: true)
        }

        func point(at target: String) throws {
            try? FileManager.default.removeItem(atPath: link)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        }

        var genesisRan: Bool { FileManager.default.fileExists(atPath: root + "/genesis/bin/appd.ran") }
    }

    static let forms = ["upgrades/v2", "ABSOLUTE", "../cosmovisor/upgrades/v2"]

    static func written(_ form: String, _ node: Home) -> String {
        form == "ABSOLUTE" ? node.root + "/upgrades/v2" : form
    }

    @Test("run starts the binary current selects, whichever form the link has", arguments: forms)
    func runFollowsEveryForm(form: String) async throws {
        try await withTemporaryDirectory { dir in
            let node = try Home(dir)
            try node.point(at: Self.written(form, node))
            let result = try await AgentCLI.run(["run", "start", "--x"], environment: node.environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.output.contains("v2-ran start --x"), "\(result.output)")
            #expect(result.output.contains("\(node.root)/upgrades/v2/bin/appd"), "\(result.output)")
            #expect(!node.genesisRan)
            #expect(AtomicSymlink.target(of: node.link) == Self.written(form, node), "run leaves the link as it is")
        }
    }

    @Test("status reports what current selects, whichever form the link has", arguments: forms)
    func statusFollowsEveryForm(form: String) async throws {
        try await withTemporaryDirectory { dir in
            let node = try Home(dir)
            try node.point(at: Self.written(form, node))
            let result = try await AgentCLI.run(["status", "--json"], environment: node.environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let status = try NodeStatus.decode(result.stdout)
            let v2 = try #require(status.binaries.first { $0.name == "v2" })
            #expect(status.current.target == Self.written(form, node))
            #expect(status.current.upgrade == "v2")
            #expect(status.current.sha256 == v2.sha256)
            #expect(status.current.version == "v2-ran version")
            #expect(status.current.error == nil)
        }
    }

    @Test(
        "a dangling current, one to a file or outside the layout: run refuses, status says why",
        arguments: [
            ("upgrades/v9", "which does not exist"), ("upgrades/file", "which is not a directory"),
            ("../../elsewhere/upgrades/v2", "outside"), ("upgrades/v2/bin", "outside"),
        ]
    )
    func unusable(target: String, reason: String) async throws {
        try await withTemporaryDirectory { dir in
            let node = try Home(dir)
            try node.point(at: target)
            let run = try await AgentCLI.run(["run", "start"], environment: node.environment)
            #expect(run.exitCode != 0)
            #expect(run.errorOutput.contains("\"\(node.link)\" points to \"\(target)\""), "\(run.errorOutput)")
            #expect(run.errorOutput.contains(reason), "\(run.errorOutput)")
            #expect(!node.genesisRan, "never a silent genesis")
            #expect(AtomicSymlink.target(of: node.link) == target, "the link is left for the operator")

            let result = try await AgentCLI.run(["status", "--json"], environment: node.environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let status = try NodeStatus.decode(result.stdout)
            #expect(status.current.error?.contains(reason) == true)
            #expect(status.current.version == nil)
            let summary = try await AgentCLI.run(["status"], environment: node.environment)
            #expect(summary.output.contains("current: \(target) (unusable: "), "\(summary.output)")
        }
    }

    @Test("a missing current still means genesis: run creates current -> genesis and starts it")
    func missingIsGenesis() async throws {
        try await withTemporaryDirectory { dir in
            let node = try Home(dir)
            let result = try await AgentCLI.run(["run", "start"], environment: node.environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.output.contains("genesis-ran start"))
            #expect(AtomicSymlink.target(of: node.link) == "genesis")
        }
    }

    @Test("an old unit's `cosmovisor start …` (DAEMON_LOG_BUFFER_SIZE set) runs as `run start …`, one deprecation line")
    func legacyStart() async throws {
        try await withTemporaryDirectory { dir in
            let node = try Home(dir)
            try node.point(at: node.root + "/upgrades/v2")
            try FileManager.default.createSymbolicLink(
                atPath: dir + "/cosmovisor",
                withDestinationPath: AgentCLI.binary
            )
            var environment = node.environment
            environment["DAEMON_LOG_BUFFER_SIZE"] = "512"
            let result = try await AgentCLI.run(
                ["start", "--home", node.home],
                environment: environment,
                program: dir + "/cosmovisor"
            )
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.output.contains("v2-ran start --home \(node.home)"), "\(result.output)")
            let lines = result.errorOutput.split(separator: "\n").filter { $0.contains("deprecated") }
            #expect(
                lines == [
                    #"deprecated: "cosmovisor start" is the cosmovisor ≤ 1.0 form and runs as "cosmovisor run start"; "#
                        + "cosmovisor 1.7 refuses it: add `run` to the service's ExecStart"
                ]
            )
            // A unit whose binary path was changed to node-agent but still says `start` works the same.
            let renamed = try await AgentCLI.run(["start", "--x"], environment: environment)
            #expect(renamed.exitCode == 0, "\(renamed.errorOutput)")
            #expect(renamed.output.contains("v2-ran start --x"), "\(renamed.output)")
            #expect(renamed.errorOutput.contains(#"deprecated: "node-agent start" is the cosmovisor ≤ 1.0 form"#))
        }
    }
}
