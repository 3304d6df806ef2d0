import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// Root command behaviour: help, unknown commands, the `cosmovisor` link, the global config flag.
@Suite("command line", .tags(.processes), .timeLimit(.minutes(1)))
struct CommandLineTests {
    /// Upstream TestGetHelpText.
    @Test("TestGetHelpText: the help text names Cosmovisor, DAEMON_NAME, DAEMON_HOME and the docs URL")
    func helpText() async throws {
        for text in [
            HelpText.text, try await AgentCLI.run([]).output, try await AgentCLI.run(["help"]).output,
            try await AgentCLI.run(["--help"]).output,
        ] {
            #expect(text.contains("Cosmovisor"))
            #expect(text.contains("DAEMON_NAME"))
            #expect(text.contains("DAEMON_HOME"))
            #expect(text.contains("https://docs.cosmos.network/main/build/tooling/cosmovisor"))
        }
        #expect(try await AgentCLI.run([]).exitCode == 0)
    }

    @Test("an unknown first word is no usage error: it is the cosmovisor ≤ 1.0 form and runs as run")
    func unknownCommand() async throws {
        let direct = try await AgentCLI.run(["start"])
        #expect(direct.exitCode == 1, "no DAEMON_NAME/DAEMON_HOME: run's configuration error")
        #expect(direct.errorOutput.contains(#"deprecated: "node-agent start""#), "\(direct.errorOutput)")
        #expect(!direct.errorOutput.contains("unknown command"))
    }

    @Test("invoked through a link named cosmovisor, every command behaves the same")
    func cosmovisorLink() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: dir + "/cosmovisor",
                withDestinationPath: AgentCLI.binary
            )
            let environment = ["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "d", "UNSAFE_SKIP_BACKUP": "true"]
            for arguments in [
                ["config"], ["show-upgrade-info"], ["version", "--cosmovisor-only"], ["add-upgrade", "x"],
            ] {
                let direct = try await AgentCLI.run(arguments, environment: environment)
                let linked = try await AgentCLI.run(arguments, environment: environment, program: dir + "/cosmovisor")
                #expect(direct.exitCode == linked.exitCode, "\(arguments)")
                #expect(direct.output == linked.output, "\(arguments)")
                #expect(direct.errorOutput == linked.errorOutput, "\(arguments)")
            }
            let help = try await AgentCLI.run(["--help"], program: dir + "/cosmovisor")
            #expect(help.output.contains("USAGE: cosmovisor <subcommand>"))
        }
    }

    @Test(
        "normalising arguments",
        arguments: [
            (["config"], ["config"]),
            (["-c", "/c.toml", "config"], ["config", "--cosmovisor-config", "/c.toml"]),
            (
                ["--cosmovisor-config", "/c.toml", "show-upgrade-info"],
                ["show-upgrade-info", "--cosmovisor-config", "/c.toml"]
            ),
            (
                ["--cosmovisor-config=/c.toml", "run", "start", "-c", "x"],
                ["run", "--cosmovisor-config", "/c.toml", "start", "-c", "x"]
            ),
            (["config", "-c", "/c.toml"], ["config", "-c", "/c.toml"]),
            (["--help"], ["--help"]),
            ([], []),
        ] as [([String], [String])]
    )
    func normalise(arguments: [String], expected: [String]) throws {
        for program in ["/usr/bin/node-agent", "/usr/bin/cosmovisor"] {
            let invocation = Invocation(argv: [program] + arguments)
            #expect(
                invocation.normalizedArguments(knownCommands: ["config", "show-upgrade-info", "run", "help"])
                    == .init(arguments: expected)
            )
        }
    }

    @Test(
        "an unknown first word is the cosmovisor ≤ 1.0 form and runs as run, under either name",
        arguments: [
            (["start"], ["run", "start"]),
            (["start", "--home", "/h", "-c", "x"], ["run", "start", "--home", "/h", "-c", "x"]),
            (["-c", "/c.toml", "start", "--x"], ["run", "--cosmovisor-config", "/c.toml", "start", "--x"]),
            (["--cosmovisor-config=/c.toml", "tx", "bank"], ["run", "--cosmovisor-config", "/c.toml", "tx", "bank"]),
        ] as [([String], [String])]
    )
    func legacy(arguments: [String], expected: [String]) throws {
        let known = ["config", "run", "help"]
        let linked = Invocation(argv: ["/usr/bin/cosmovisor"] + arguments).normalizedArguments(knownCommands: known)
        #expect(linked.arguments == expected)
        #expect(linked.legacyCommand == expected[expected[1] == "--cosmovisor-config" ? 3 : 1])
        #expect(linked.deprecation(programName: "cosmovisor")?.contains("cosmovisor 1.7 refuses it") == true)
        let direct = Invocation(argv: ["/usr/bin/node-agent"] + arguments).normalizedArguments(knownCommands: known)
        #expect(direct == linked, "a unit whose binary was renamed to node-agent keeps working the same way")
    }

    @Test(
        "the config flag's three forms, one parse",
        arguments: [
            (["--cosmovisor-config", "/c.toml", "x"], "/c.toml", 2), (["-c", "/c.toml"], "/c.toml", 2),
            (["--cosmovisor-config=/c.toml", "x"], "/c.toml", 1), (["--cosmovisor-config="], "", 1),
        ] as [([String], String, Int)]
    )
    func configFlag(arguments: [String], path: String, words: Int) {
        let flag = Invocation.configFlag(in: arguments, at: 0)
        #expect(flag?.path == path)
        #expect(flag?.words == words)
    }

    @Test(
        "not a config flag", arguments: [["-c"], ["--cosmovisor-config"], ["start", "-c", "x"], ["--cosmovisor"], []])
    func noConfigFlag(arguments: [String]) {
        #expect(Invocation.configFlag(in: arguments, at: 0) == nil)
    }

    @Test(
        "the program name follows argv[0]",
        arguments: [("/x/cosmovisor", "cosmovisor"), ("node-agent", "node-agent"), ("/x/other", "node-agent")]
    )
    func programName(argv0: String, name: String) {
        #expect(Invocation(argv: [argv0]).programName == name)
    }

    @Test("config prints the detail block to stderr; -c before or after the command reads the file")
    func configCommand() async throws {
        try await withTemporaryDirectory { dir in
            let home = dir + "/home"
            try FileManager.default.createDirectory(atPath: home + "/cosmovisor", withIntermediateDirectories: true)
            let fromEnv = try await AgentCLI.run(["config"], environment: ["DAEMON_HOME": home, "DAEMON_NAME": "envd"])
            #expect(fromEnv.exitCode == 0)
            #expect(fromEnv.output == "")
            #expect(fromEnv.errorOutput == AgentConfiguration(home: home, name: "envd").detailString)
            let file = dir + "/c.toml"
            try Data("daemon_home = \"\(home)\"\ndaemon_name = \"filed\"\ndaemon_poll_interval = \"2s\"\n".utf8)
                .write(to: URL(fileURLWithPath: file))
            for arguments in [
                ["-c", file, "config"], ["config", "--cosmovisor-config", file],
                ["--cosmovisor-config=\(file)", "config"],
            ] {
                let result = try await AgentCLI.run(arguments)
                #expect(result.exitCode == 0, "\(result.errorOutput)")
                #expect(result.errorOutput.contains("  DAEMON_NAME: filed\n"))
                #expect(result.errorOutput.contains("  DAEMON_POLL_INTERVAL: 2s\n"))
            }
            let bad = try await AgentCLI.run(["config"], environment: ["DAEMON_POLL_INTERVAL": "0"])
            #expect(bad.exitCode == 1)
            #expect(
                bad.errorOutput == """
                    Error: invalid: DAEMON_POLL_INTERVAL: must be greater than 0
                    DAEMON_NAME is not set
                    DAEMON_HOME is not set
                    DAEMON_DATA_BACKUP_DIR must not be empty

                    """
            )
        }
    }
}
