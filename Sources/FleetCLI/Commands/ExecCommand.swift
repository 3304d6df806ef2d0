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

    @Option(help: "Seconds a command may run on one host.")
    var timeout: Int = 300

    @Argument(parsing: .postTerminator, help: "The command, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. fleet exec -- uptime") }
    }

    func run() async throws {
        let (_, hosts) = try global.selectedHosts()
        let settings = SSHClientSettings(global)
        let line = command.joined(separator: " ")
        let limit = Duration.seconds(timeout)
        let results = await forEachHost(hosts, maxConcurrent: global.parallel) { host -> HostExecOutcome in
            do {
                let result = try await withSSHConnection(settings.target(for: host)) { connection in
                    try await connection.exec(line, timeout: limit)
                }
                return HostExecOutcome(host: host.name, result: result, error: nil)
            } catch {
                return HostExecOutcome(host: host.name, result: nil, error: String(describing: error))
            }
        }
        let outcomes = results.map(\.1)
        if global.json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Terminal.out(String(decoding: try encoder.encode(outcomes.map(\.record)), as: UTF8.self) + "\n")
        } else {
            Terminal.out(ExecRenderer(terminal: .current).render(outcomes))
        }
        if outcomes.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }
}

/// What one host did with the command.
struct HostExecOutcome: Sendable {
    var host: String
    var result: ExecResult?
    var error: String?

    var succeeded: Bool { result?.succeeded ?? false }

    /// The `--json` shape of an outcome.
    struct Record: Encodable {
        var host: String
        var exitStatus: Int32?
        var exitSignal: String?
        var stdout: String?
        var stderr: String?
        var error: String?
    }

    var record: Record {
        Record(
            host: host, exitStatus: result?.exitStatus, exitSignal: result?.exitSignal,
            stdout: result?.output, stderr: result?.errorOutput, error: error
        )
    }
}

/// Draws `fleet exec` output: a header per host, its output, then a summary.
struct ExecRenderer {
    var terminal: Terminal

    func render(_ outcomes: [HostExecOutcome]) -> String {
        var out = ""
        for outcome in outcomes {
            out += terminal.paint("== \(outcome.host) ", .bold) + status(outcome) + "\n"
            if let result = outcome.result {
                out += result.output
                if !result.output.isEmpty && !result.output.hasSuffix("\n") { out += "\n" }
                if !result.errorOutput.isEmpty {
                    out += terminal.paint(result.errorOutput, .yellow)
                    if !result.errorOutput.hasSuffix("\n") { out += "\n" }
                }
            } else if let error = outcome.error {
                out += terminal.paint(error, .red) + "\n"
            }
        }
        let failed = outcomes.filter { !$0.succeeded }
        out += "\n\(outcomes.count) hosts: \(outcomes.count - failed.count) ok"
        if !failed.isEmpty {
            out += ", \(failed.count) failed (" + failed.map { "\($0.host): \(reason($0))" }.joined(separator: ", ") + ")"
        }
        return out + "\n"
    }

    private func status(_ outcome: HostExecOutcome) -> String {
        outcome.succeeded ? terminal.paint("(exit 0)", .green) : terminal.paint("(\(reason(outcome)))", .red)
    }

    private func reason(_ outcome: HostExecOutcome) -> String {
        guard let result = outcome.result else { return "unreachable" }
        if let signal = result.exitSignal { return "signal \(signal)" }
        return "exit \(result.exitStatus.map(String.init) ?? "?")"
    }
}
