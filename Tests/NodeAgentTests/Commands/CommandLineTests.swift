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

    @Test("an unknown command is cobra's error, exit 1, named after the program")
    func unknownCommand() async throws {
        let direct = try await AgentCLI.run(["start"])
        #expect(direct.exitCode == 1)
        #expect(
            direct.errorOutput
                == "Error: unknown command \"start\" for \"node-agent\"\nRun 'node-agent --help' for usage.\n"
        )
        try await withTemporaryDirectory { dir in
            try FileManager.default.createSymbolicLink(
                atPath: dir + "/cosmovisor",
                withDestinationPath: AgentCLI.binary
            )
            let linked = try await AgentCLI.run(["start"], program: dir + "/cosmovisor")
            #expect(linked.exitCode == 1)
            #expect(
                linked.errorOutput
                    == "Error: unknown command \"start\" for \"cosmovisor\"\nRun 'cosmovisor --help' for usage.\n"
            )
        }
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
        let invocation = Invocation(argv: ["/usr/bin/node-agent"] + arguments)
        #expect(
            try invocation.normalizedArguments(knownCommands: ["config", "show-upgrade-info", "run", "help"]).get()
                == expected
        )
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
