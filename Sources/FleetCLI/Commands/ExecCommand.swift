import ArgumentParser
import FleetCore
import Foundation

/// `fleet exec -- CMD`: run a command on every selected node, output grouped per host.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a shell command on every selected node; output grouped per host, exit status per host.",
        discussion: "Arguments are joined with spaces, as ssh does: quote what the remote shell must not split."
    )

    @OptionGroup var global: GlobalOptions

    /// How long the command may run on one host when `--timeout` does not say.
    static let defaultTimeout = Duration.seconds(300)

    @Argument(parsing: .postTerminator, help: "The command, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. fleet exec -- uptime") }
    }

    func run() async throws {
        let (_, hosts) = try global.selectedHosts()
        let settings = SSHClientSettings(global)
        let outcomes = await FleetExecCollector.run(
            command.joined(separator: " "), hosts: hosts, target: { settings.target(for: $0) },
            maxConcurrent: global.parallel, timeout: global.timeout ?? Self.defaultTimeout,
            hostTimeout: global.timeout, logger: global.logger
        )
        if global.json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Terminal.out(String(decoding: try encoder.encode(outcomes.map(ExecRecord.init)), as: UTF8.self) + "\n")
        } else {
            Terminal.out(ExecRenderer(terminal: .current).render(outcomes))
        }
        if outcomes.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }
}

/// The `--json` shape of one host's outcome.
struct ExecRecord: Encodable {
    var host: String
    var exitStatus: Int32?
    var exitSignal: String?
    var stdout: String?
    var stderr: String?
    var stdoutTruncated: Bool?
    var stderrTruncated: Bool?
    var error: String?

    init(_ outcome: HostExecOutcome) {
        host = outcome.host
        exitStatus = outcome.result?.exitStatus
        exitSignal = outcome.result?.exitSignal
        stdout = outcome.result?.output
        stderr = outcome.result?.errorOutput
        stdoutTruncated = outcome.result?.stdoutTruncated
        stderrTruncated = outcome.result?.stderrTruncated
        error = outcome.error
    }
}
