import ArgumentParser
import FleetCore
import Foundation
import Glibc

/// `node-agent run <args…>`: start `current/bin/$DAEMON_NAME <args…>` and apply its upgrades (cosmovisor `run`).
///
/// Every argument after `run` goes to the child unchanged, flags included:
/// `node-agent run start --home X --foo` runs `<daemon> start --home X --foo`. Only a leading
/// `--cosmovisor-config <path>` (`-c`), as cosmovisor accepts it, is taken by the agent.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an APP command.",
        discussion: "Run an APP command. This command is intended to be used by the cosmovisor binary."
    )

    /// The child's arguments, verbatim.
    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the node binary unchanged.")
    var arguments: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let (configPath, childArguments) = Self.splitConfigFlag(arguments)
        let configuration = try AgentConfiguration.fromFile(configPath, environment: environment)
        // Like cosmovisor, the child inherits the root as its working directory (§5.1 step 2, Appendix A.8).
        guard chdir(configuration.root) == 0 else {
            throw AgentError(.command, "chdir \(configuration.root): \(GoText.errno(errno, capitalized: true))")
        }
        let supervisor = Supervisor(
            configuration: configuration,
            arguments: childArguments,
            logger: AgentLogger.make(configuration),
            crashAt: Self.testCrashHook(environment)
        )
        let code = await supervisor.run()
        if code != 0 { throw ExitCode(code) }
    }

    /// The crash-consistency tests' hook (`NODE_AGENT_TEST_CRASH_AT=<step>`: the agent SIGKILLs itself after
    /// that step). Debug builds only: a release binary never reads it, whatever its environment holds.
    static func testCrashHook(_ environment: [String: String]) -> String? {
        #if DEBUG
        return environment["NODE_AGENT_TEST_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 }
        #else
        return nil
        #endif
    }

    /// Takes a leading `--cosmovisor-config <path>`, `--cosmovisor-config=<path>` or `-c <path>` off the
    /// arguments; everything else belongs to the child.
    static func splitConfigFlag(_ arguments: [String]) -> (path: String, rest: [String]) {
        guard let flag = Invocation.configFlag(in: arguments, at: 0) else { return ("", arguments) }
        return (flag.path, Array(arguments.dropFirst(flag.words)))
    }
}
