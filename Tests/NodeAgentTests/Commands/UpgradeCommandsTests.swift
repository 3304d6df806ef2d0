import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `add-upgrade` and `show-upgrade-info`.
@Suite("add-upgrade and show-upgrade-info", .tags(.processes), .timeLimit(.minutes(1)))
struct UpgradeCommandsTests {
    struct Home {
        var dir: String
        var root: String { dir + "/home/cosmovisor" }
        var environment: [String: String] {
            AgentCLI.plainLogs.merging([
                "DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd", "UNSAFE_SKIP_BACKUP": "true",
            ]) { _, new in new }
        }

        init(_ dir: String, data: Bool = true) throws {
            self.dir = dir
            try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
            if data {
                try FileManager.default.createDirectory(atPath: dir + "/home/data", withIntermediateDirectories: true)
            }
            try AgentCLI.script(dir + "/new", "echo v2", mode: 0o644)
            try AgentCLI.script(dir + "/newer", "echo v2b")
        }
    }

    @Test("stages the binary under the recased, escaped name, executable, and refuses to overwrite without --force")
    func stage() async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir)
            let result = try await AgentCLI.run(
                ["add-upgrade", "Chain 2", dir + "/new"], environment: home.environment)
            let binary = home.root + "/upgrades/chain%202/bin/appd"
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                result.output == """
                    INF Using \(dir)/new for chain 2 upgrade module=cosmovisor
                    INF Upgrade binary located at \(binary) module=cosmovisor

                    """
            )
            #expect(FileManager.default.contents(atPath: binary) == FileManager.default.contents(atPath: dir + "/new"))
            #expect(try AgentCLI.mode(binary) == 0o755)
            #expect(!FileManager.default.fileExists(atPath: dir + "/home/data/upgrade-info.json"))

            let again = try await AgentCLI.run(
                ["add-upgrade", "chain 2", dir + "/newer"], environment: home.environment)
            #expect(again.exitCode == 1)
            #expect(again.errorOutput == "Error: file already exists at \(binary)\n")
            #expect(FileManager.default.contents(atPath: binary) == FileManager.default.contents(atPath: dir + "/new"))

            let forced = try await AgentCLI.run(
                ["add-upgrade", "--force", "chain 2", dir + "/newer"],
                environment: home.environment
            )
            #expect(forced.exitCode == 0)
            #expect(
                FileManager.default.contents(atPath: binary) == FileManager.default.contents(atPath: dir + "/newer")
            )
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.root + "/upgrades/chain%202/bin")
            #expect(leftovers == ["appd"])
        }
    }

    @Test("with --upgrade-height: upgrade-info.json in x/upgrade's bytes plus the manual schedule for --halt-height")
    func withHeight() async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir)
            let result = try await AgentCLI.run(
                ["add-upgrade", "V2", dir + "/new", "--upgrade-height", "120"],
                environment: home.environment
            )
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let info = dir + "/home/data/upgrade-info.json"
            #expect(
                result.output.hasSuffix(
                    "INF \(info) created, v2 upgrade binary will switch at height 120 module=cosmovisor\n"
                )
            )
            #expect(
                try String(contentsOfFile: info, encoding: .utf8)
                    == #"{"name":"v2","time":"0001-01-01T00:00:00Z","height":120}"#
            )
            let schedule = try ManualUpgradeSchedule.read(from: home.root + "/.node-agent/manual-upgrades.json")
            #expect(schedule.upgrades.map(\.name) == ["v2"])
            #expect(schedule.nextHaltHeight(above: 100) == 120)

            let clash = try await AgentCLI.run(
                ["add-upgrade", "v3", dir + "/newer", "--upgrade-height", "130"],
                environment: home.environment
            )
            #expect(clash.exitCode == 1)
            #expect(clash.errorOutput == "Error: file already exists at \(info)\n")
            #expect(
                !FileManager.default.fileExists(atPath: home.root + "/upgrades/v3"), "a refused command stages nothing")
            let forced = try await AgentCLI.run(
                ["add-upgrade", "v3", dir + "/newer", "--upgrade-height", "130", "--force"],
                environment: home.environment
            )
            #expect(forced.exitCode == 0)
            #expect(
                try ManualUpgradeSchedule.read(from: home.root + "/.node-agent/manual-upgrades.json").upgrades.map(
                    \.height
                ) == [120, 130]
            )
        }
    }

    @Test("COSMOVISOR_DISABLE_RECASE keeps the name's case")
    func disableRecase() async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir)
            var environment = home.environment
            environment["COSMOVISOR_DISABLE_RECASE"] = "true"
            let result = try await AgentCLI.run(["add-upgrade", "Chain2", dir + "/new"], environment: environment)
            #expect(result.exitCode == 0)
            #expect(FileManager.default.fileExists(atPath: home.root + "/upgrades/Chain2/bin/appd"))
        }
    }

    @Test(
        "errors",
        arguments: [
            (["add-upgrade", "v2"], "accepts 2 arg(s), received 1"),
            (
                ["add-upgrade", "v2", "{dir}/missing"],
                "invalid executable path: stat {dir}/missing: no such file or directory"
            ),
            (["add-upgrade", "..", "{dir}/new"], #"invalid upgrade name "..": name must not be "." or "..""#),
            (
                ["add-upgrade", "a\nb", "{dir}/new"],
                #"invalid upgrade name "a\nb": name must not contain control characters"#
            ),
            (["add-upgrade", "v2", "{dir}/new", "--upgrade-height", "5"], "failed to write binary to location: "),
            (["add-upgrade", "v2", "{dir}"], "failed to read binary: read {dir}: is a directory"),
        ]
    )
    func errors(arguments: [String], message: String) async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir, data: false)
            let fill = { (text: String) in text.replacingOccurrences(of: "{dir}", with: dir) }
            let result = try await AgentCLI.run(arguments.map(fill), environment: home.environment)
            #expect(result.exitCode == 1)
            #expect(result.errorOutput.hasPrefix("Error: \(fill(message))"), "\(result.errorOutput)")
        }
    }

    @Test("a hostile name stays one directory inside upgrades/")
    func hostileName() async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir)
            let result = try await AgentCLI.run(
                ["add-upgrade", "../../escape", dir + "/new"], environment: home.environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: home.root + "/upgrades") == ["..%2F..%2Fescape"]
            )
            #expect(!FileManager.default.fileExists(atPath: dir + "/escape"))
        }
    }

    @Test("show-upgrade-info prints the raw file to stderr, or says none is found (exit 0)")
    func showUpgradeInfo() async throws {
        try await withTemporaryDirectory { dir in
            let home = try Home(dir)
            let info = dir + "/home/data/upgrade-info.json"
            let none = try await AgentCLI.run(["show-upgrade-info"], environment: home.environment)
            #expect(none.exitCode == 0)
            #expect(none.errorOutput == "No upgrade info found at \(info)\n")
            try Data(#"{"name":"v2","height":7,"info":"x"}"#.utf8).write(to: URL(fileURLWithPath: info))
            let some = try await AgentCLI.run(["show-upgrade-info"], environment: home.environment)
            #expect(some.exitCode == 0)
            #expect(some.output == "")
            #expect(some.errorOutput == #"{"name":"v2","height":7,"info":"x"}"# + "\n")
            let unconfigured = try await AgentCLI.run(["show-upgrade-info"])
            #expect(unconfigured.exitCode == 1)
        }
    }
}
