import ArgumentParser
import FleetCore
import Foundation

/// `version`: the agent's version, then the current binary's `version` output.
///
/// Like cosmovisor, the agent's own line (`cosmovisor version: <v>`) and the JSON go to stderr.
/// Unlike cosmovisor, the app runs directly (no upgrade detection, so `version` can never perform an
/// upgrade) and `--output json` captures only the app's stdout, so it works with logs on.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Prints the version of Cosmovisor."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "Output format (text|json).")
    var output: String = "text"

    @Flag(name: .customLong("cosmovisor-only"), help: "Print the agent's version only.")
    var cosmovisorOnly = false

    @Argument(help: "Extra arguments passed to `<app> version`.")
    var arguments: [String] = []

    func run() async throws(AgentError) {
        let version = FleetVersion.current
        if output == "json" {
            guard !cosmovisorOnly else {
                Console.standardError.write(#"{"cosmovisor_version":\#(GoText.jsonString(version))}"# + "\n")
                return
            }
            let configuration = try AgentConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            let binary = try CurrentLink.binary(configuration.layout)
            // The app's stdout only (stderr discarded, as cosmovisor's buffer does); through
            // `ChildProcess.capture`, so a grandchild that keeps the pipe open cannot hold the command.
            let result: CapturedRun
            do {
                result = try await ChildProcess.capture(binary, arguments: ["version", "--long", "--output", "json"])
            } catch {
                throw AgentError(.command, "failed to run version command: launching \(error)")
            }
            guard result.status.isSuccess else {
                throw AgentError(.command, "failed to run version command: \(result.status)")
            }
            let raw = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed])) != nil else {
                throw AgentError(.command, "can't print version output, expected valid json from APP, got: \(raw)")
            }
            Console.standardError.write(
                #"{"cosmovisor_version":\#(GoText.jsonString(version)),"app_version":\#(raw)}"# + "\n"
            )
            return
        }
        Console.standardError.write("cosmovisor version: \(version)\n")
        if cosmovisorOnly { return }
        let configuration = try AgentConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let binary = try CurrentLink.binary(configuration.layout)
        // stdin, stdout and stderr are ours: the app's output streams through, nothing to read or wait for.
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(binary, arguments: ["version"] + arguments)
        } catch {
            throw AgentError(.command, "failed to run version command: launching \(error)")
        }
        let status = await child.wait()
        if !status.isSuccess { throw AgentError(.command, "failed to run version command: \(status)") }
    }
}
