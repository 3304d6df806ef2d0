import FleetTestSupport
import Foundation
import Testing

/// Upstream TestInitializeCosmovisor*, run against the built binary.
@Suite("init", .tags(.processes), .timeLimit(.minutes(1)))
struct InitCommandTests {
    static func env(_ home: String, name: String = "dummyd") -> [String: String] {
        AgentCLI.plainLogs.merging(["DAEMON_HOME": home, "DAEMON_NAME": name]) { _, new in new }
    }

    /// TestInitializeCosmovisorNegativeValidation: exact errors, exit 1, and no log output at all.
    @Test(
        "TestInitializeCosmovisorNegativeValidation",
        arguments: [
            ("no args", [], ["DAEMON_HOME": "{dir}/home", "DAEMON_NAME": "dummyd"], "accepts 1 arg(s), received 0"),
            (
                "two args", ["{dir}/exe", "x"], ["DAEMON_HOME": "{dir}/home", "DAEMON_NAME": "dummyd"],
                "accepts 1 arg(s), received 2"
            ),
            (
                "empty arg", [""], ["DAEMON_HOME": "{dir}/home", "DAEMON_NAME": "dummyd"],
                "no <path to executable> provided"
            ),
            (
                "exe not found", ["{dir}/missing"], ["DAEMON_HOME": "{dir}/home", "DAEMON_NAME": "dummyd"],
                "executable file not found: stat {dir}/missing: no such file or directory"
            ),
            (
                "exe is a dir", ["{dir}"], ["DAEMON_HOME": "{dir}/home", "DAEMON_NAME": "dummyd"],
                "invalid path to executable: must not be a directory"
            ),
            ("no name", ["{dir}/exe"], ["DAEMON_HOME": "{dir}/home"], "DAEMON_NAME is not set"),
            ("no home", ["{dir}/exe"], ["DAEMON_NAME": "dummyd"], "DAEMON_HOME is not set"),
            (
                "relative home", ["{dir}/exe"], ["DAEMON_HOME": "home", "DAEMON_NAME": "dummyd"],
                "DAEMON_HOME must be an absolute path"
            ),
            ("both missing", ["{dir}/exe"], [:], "DAEMON_NAME is not set\nDAEMON_HOME is not set"),
        ] as [(String, [String], [String: String], String)]
    )
    func negativeValidation(
        name: String, arguments: [String], environment: [String: String], message: String
    )
        async throws
    {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            let fill = { (text: String) in text.replacingOccurrences(of: "{dir}", with: dir) }
            let result = try await AgentCLI.run(
                ["init"] + arguments.map(fill), environment: environment.mapValues(fill))
            #expect(result.exitCode == 1)
            #expect(result.output == "", "no log output may appear")
            #expect(result.errorOutput == "Error: \(fill(message))\n")
            #expect(!FileManager.default.fileExists(atPath: dir + "/home"))
        }
    }

    @Test("TestInitializeCosmovisorInvalidExisting: genesis/bin is a file")
    func genesisBinIsFile() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            try FileManager.default.createDirectory(
                atPath: dir + "/home/cosmovisor/genesis",
                withIntermediateDirectories: true
            )
            try Data().write(to: URL(fileURLWithPath: dir + "/home/cosmovisor/genesis/bin"))
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/home"))
            #expect(result.exitCode == 1)
            #expect(
                result.errorOutput
                    == "Error: the path \"\(dir)/home/cosmovisor/genesis/bin\" already exists but is not a directory\n"
            )
            #expect(result.output == "INF checking on the genesis/bin directory module=cosmovisor\n")
        }
    }

    @Test("TestInitializeCosmovisorInvalidExisting: genesis/bin/<name> is a directory")
    func genesisExeIsDirectory() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            let bin = dir + "/home/cosmovisor/genesis/bin"
            try FileManager.default.createDirectory(atPath: bin + "/dummyd", withIntermediateDirectories: true)
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/home"))
            #expect(result.exitCode == 1)
            #expect(result.errorOutput == "Error: dummyd is not a regular file\n")
            #expect(
                result.output == """
                    INF checking on the genesis/bin directory module=cosmovisor
                    INF the "\(bin)" directory already exists module=cosmovisor
                    INF checking on the genesis/bin executable module=cosmovisor
                    INF the "\(bin)/dummyd" file already exists module=cosmovisor
                    INF making sure "\(bin)/dummyd" is executable module=cosmovisor

                    """
            )
            #expect(!result.output.contains("symlink"))
        }
    }

    @Test("TestInitializeCosmovisorInvalidExisting: current is a regular file")
    func currentIsFile() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/home/cosmovisor/current"))
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/home"))
            #expect(result.exitCode == 1)
            #expect(result.errorOutput == "Error: symlink genesis current: file exists\n")
            #expect(FileManager.default.contents(atPath: dir + "/home/cosmovisor/current") == Data("x".utf8))
        }
    }

    @Test("TestInitializeCosmovisorValid: blank slate, non-executable source")
    func blankSlate() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi", mode: 0o644)
            let home = dir + "/home"
            let root = home + "/cosmovisor"
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(home))
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.errorOutput == "")
            #expect(
                result.output == """
                    INF checking on the genesis/bin directory module=cosmovisor
                    INF creating directory (and any parents): "\(root)/genesis/bin" module=cosmovisor
                    INF checking on the genesis/bin executable module=cosmovisor
                    INF copying executable into place: "\(root)/genesis/bin/dummyd" module=cosmovisor
                    INF making sure "\(root)/genesis/bin/dummyd" is executable module=cosmovisor
                    INF checking on the current symlink and creating it if needed module=cosmovisor
                    INF the current symlink points to: "\(root)/genesis/bin/dummyd" module=cosmovisor
                    INF cosmovisor config.toml created at: \(root)/config.toml module=cosmovisor

                    """
            )
            #expect(try AgentCLI.mode(root + "/genesis/bin/dummyd") & 0o111 == 0o111)
            #expect(
                FileManager.default.contents(atPath: root + "/genesis/bin/dummyd")
                    == FileManager.default.contents(atPath: dir + "/exe")
            )
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/current") == "genesis")
            let config = try String(contentsOfFile: root + "/config.toml", encoding: .utf8)
            #expect(config.contains("daemon_home = \"\(home)\"\n"))
            #expect(config.contains("daemon_name = \"dummyd\"\n"))
            #expect(!FileManager.default.fileExists(atPath: home + "/data"))
        }
    }

    @Test("TestInitializeCosmovisorValid: genesis and upgrades exist but no current")
    func existingTreeNoCurrent() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo new")
            let root = dir + "/home/cosmovisor"
            try AgentCLI.script(root + "/genesis/bin/dummyd", "echo old")
            try AgentCLI.script(root + "/upgrades/chain2/bin/dummyd", "echo chain2")
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/home"))
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                result.output.contains("INF the \"\(root)/genesis/bin/dummyd\" file already exists module=cosmovisor\n")
            )
            #expect(try String(contentsOfFile: root + "/genesis/bin/dummyd", encoding: .utf8).contains("echo old"))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/current") == "genesis")
        }
    }

    @Test("TestInitializeCosmovisorValid: an empty genesis/bin gets the executable; an existing current is kept")
    func emptyGenesisBin() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo new")
            let root = dir + "/home/cosmovisor"
            try FileManager.default.createDirectory(atPath: root + "/genesis/bin", withIntermediateDirectories: true)
            try AgentCLI.script(root + "/upgrades/chain2/bin/dummyd", "echo chain2")
            try FileManager.default.createSymbolicLink(
                atPath: root + "/current",
                withDestinationPath: "upgrades/chain2"
            )
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/home"))
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                result.output.contains("INF the \"\(root)/genesis/bin\" directory already exists module=cosmovisor\n")
            )
            #expect(
                result.output.contains(
                    "INF copying executable into place: \"\(root)/genesis/bin/dummyd\" module=cosmovisor\n"
                )
            )
            #expect(
                result.output.contains(
                    "INF the current symlink points to: \"\(root)/upgrades/chain2/bin/dummyd\" module=cosmovisor\n"
                )
            )
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/current") == "upgrades/chain2")
        }
    }

    /// TestInitializeCosmovisorWithOverrideCfg: `y` overwrites config.toml, `n` (or EOF) keeps it.
    @Test(
        "TestInitializeCosmovisorWithOverrideCfg",
        arguments: [("y\n", true), ("Y\n", true), ("n\n", false), ("", false), ("yes\n", false)]
    )
    func overrideConfig(answer: String, overwritten: Bool) async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            let home = dir + "/home"
            let first = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(home, name: "oldd"))
            #expect(first.exitCode == 0)
            let result = try await AgentCLI.run(
                ["init", dir + "/exe"],
                environment: Self.env(home, name: "newd"),
                input: answer
            )
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let path = home + "/cosmovisor/config.toml"
            #expect(result.output.contains("file \(path) already exists, do you want to overwrite it? [y/n]: "))
            #expect(
                result.output.contains("INF file already exists, not overriding module=cosmovisor\n") == !overwritten
            )
            #expect(result.output.hasSuffix("INF cosmovisor config.toml created at: \(path) module=cosmovisor\n"))
            let config = try String(contentsOfFile: path, encoding: .utf8)
            #expect(config.contains("daemon_name = \"newd\"") == overwritten)
            #expect(config.contains("daemon_name = \"oldd\"") == !overwritten)
        }
    }

    @Test("environment parse errors are reported instead of silently written as zero values")
    func parseErrorsReported() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            var environment = Self.env(dir + "/home")
            environment["DAEMON_POLL_INTERVAL"] = "fast"
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: environment)
            #expect(result.exitCode == 1)
            #expect(result.output == "")
            #expect(
                result.errorOutput.contains("invalid: DAEMON_POLL_INTERVAL: could not parse 'fast' into a duration")
            )
        }
    }

    @Test("NODE_AGENT_LISTEN given to init is recorded in config.toml; without it, no listener key")
    func listenRecorded() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/exe", "echo hi")
            var environment = Self.env(dir + "/home")
            environment["NODE_AGENT_LISTEN"] = "26680"
            let result = try await AgentCLI.run(["init", dir + "/exe"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let config = try String(contentsOfFile: dir + "/home/cosmovisor/config.toml", encoding: .utf8)
            #expect(config.contains("\nnode_agent_listen = \"127.0.0.1:26680\"\n"), "\(config)")

            let plain = try await AgentCLI.run(["init", dir + "/exe"], environment: Self.env(dir + "/other"))
            #expect(plain.exitCode == 0, "\(plain.errorOutput)")
            let without = try String(contentsOfFile: dir + "/other/cosmovisor/config.toml", encoding: .utf8)
            #expect(!without.contains("node_agent_listen"), "\(without)")
        }
    }
}
