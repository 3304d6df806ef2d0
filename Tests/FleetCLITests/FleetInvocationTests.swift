import ArgumentParser
import FleetTestSupport
import Testing

@testable import FleetCLI

@Suite("fleet's global options before or after the command", .tags(.pure))
struct FleetInvocationTests {
    private static let commands = FleetInvocation.CommandTree(of: Fleet.self)

    /// (arguments as typed, arguments ArgumentParser gets).
    static let table: [([String], [String])] = [
        (["-i", "inv.ini", "status"], ["status", "--inventory=inv.ini"]),
        (["-iinv.ini", "status"], ["status", "--inventory=inv.ini"]),
        (["--inventory=inv.ini", "status"], ["status", "--inventory=inv.ini"]),
        (["--inventory", "inv.ini", "status", "--wide"], ["status", "--inventory=inv.ini", "--wide"]),
        (["-i", "a", "-i", "b", "status"], ["status", "--inventory=a", "--inventory=b"]),
        (["-l", "sentries:!sentry-2", "status"], ["status", "--limit=sentries:!sentry-2"]),
        (["-l", "status", "status"], ["status", "--limit=status"]),
        (["--limit", "-x", "status"], ["status", "--limit=-x"]),
        (["-f", "8", "exec", "--", "uptime"], ["exec", "--parallel=8", "--", "uptime"]),
        (["-vf", "8", "status"], ["status", "--verbose", "--parallel=8"]),
        (["-vf8", "status"], ["status", "--verbose", "--parallel=8"]),
        (["--json", "inventory", "check"], ["inventory", "check", "--json"]),
        (["--json", "inventory"], ["inventory", "--json"]),
        (["--known-hosts", "/k", "status"], ["status", "--known-hosts=/k"]),
        (["--accept-new-host-keys", "status"], ["status", "--accept-new-host-keys"]),
        (["--timeout", "10s", "status"], ["status", "--timeout=10s"]),
        (["-v", "status", "-i", "x"], ["status", "--verbose", "-i", "x"]),
        (["--verbose", "status"], ["status", "--verbose"]),
        // After the command: untouched.
        (["status", "-i", "inv.ini"], ["status", "-i", "inv.ini"]),
        (["exec", "--", "-i", "x"], ["exec", "--", "-i", "x"]),
        // Not global options, or no command: left for ArgumentParser to handle or report.
        (["--help"], ["--help"]),
        (["--version"], ["--version"]),
        (["-i", "x"], ["-i", "x"]),
        (["-h", "-i", "x", "status"], ["-h", "status", "--inventory=x"]),
        (["--bogus", "status"], ["--bogus", "status"]),
        (["-vx", "status"], ["-vx", "status"]),
        (["--json=yes", "status"], ["--json=yes", "status"]),
        (["-i"], ["-i"]),
        (["-i", "x", "nosuchcommand"], ["-i", "x", "nosuchcommand"]),
        (["-i", "x", "help", "status"], ["-i", "x", "help", "status"]),
    ]

    @Test("global options before the command move after the command path", arguments: table)
    func normalizes(typed: [String], expected: [String]) {
        #expect(FleetInvocation.normalized(typed, commands: Self.commands).arguments == expected)
    }

    @Test("every normalized form parses, with the same values as the option after the command")
    func normalizedFormsParse() throws {
        let before = FleetInvocation.normalized(
            [
                "-i", "a", "-l", "s", "-vf", "3", "--json", "--known-hosts", "/k", "--accept-new-host-keys",
                "--timeout", "1m30s", "status",
            ],
            commands: Self.commands
        ).arguments
        let after = [
            "status", "-i", "a", "-l", "s", "-v", "-f", "3", "--json", "--known-hosts", "/k",
            "--accept-new-host-keys", "--timeout", "1m30s",
        ]
        for arguments in [before, after] {
            let command = try #require(try Fleet.parseAsRoot(arguments) as? StatusCommand)
            let global = command.global
            #expect(global.inventory == ["a"])
            #expect(global.limit == "s")
            #expect(global.parallel == 3)
            #expect(global.verbose && global.json && global.acceptNewHostKeys)
            #expect(global.knownHosts == "/k")
            #expect(global.timeout == .seconds(90))
        }
    }

    @Test("the table's options are exactly GlobalOptions' options")
    func tableMatchesGlobalOptions() {
        let help = GlobalOptions.helpMessage(columns: 1000)
        let declared = Set(help.matches(of: /--([a-z][a-z-]+)/).map { String($0.output.1) })
        #expect(declared == Set(FleetInvocation.globalOptions.map(\.long)).union(["help"]))
        for option in FleetInvocation.globalOptions {
            if let short = option.short { #expect(help.contains("-\(short),"), "-\(short) for --\(option.long)") }
        }
    }

    @Test("command names come from the command tree, nested ones included")
    func commandTree() {
        #expect(Self.commands.subcommands["inventory"]?.subcommands.keys.sorted() == ["check", "list"])
        #expect(Self.commands.subcommands["status"] != nil && Self.commands.subcommands["exec"] != nil)
    }

    @Test(
        "--timeout reads Go durations and bare seconds, and refuses zero or nonsense",
        arguments: [
            ("10s", Duration.seconds(10)), ("300", .seconds(300)), ("500ms", .milliseconds(500)), ("2m", .seconds(120)),
        ])
    func timeoutValues(text: String, expected: Duration) throws {
        #expect(try GlobalOptions.duration(text) == expected)
    }

    @Test("--timeout refuses zero, negative and unknown units", arguments: ["0", "0s", "-5s", "10 s", "ten", "5d"])
    func timeoutRejects(text: String) {
        #expect(throws: (any Error).self) { try GlobalOptions.duration(text) }
    }
}
