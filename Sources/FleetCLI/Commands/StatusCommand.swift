import ArgumentParser
import FleetCore
import Foundation

/// `fleet status`: every node's state in one screen, with drift and double-sign risk flagged.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show current, staged binaries, pending plan, height and consensus key of every node.",
        discussion: """
            One round trip per node: `node-agent status --json` where the agent is installed, plain shell \
            probes otherwise. Exit codes: 0 all good, 1 some nodes unreachable, 2 inventory error, \
            3 double-sign risk (two running nodes with one consensus key). With --watch the table is redrawn \
            every --interval over one SSH session per node kept open (reconnected when one drops) until \
            Ctrl-C, which exits 0; --json then prints one document per line per refresh.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Show full hashes and addresses.")
    var wide = false

    @Option(help: "Blocks a node may trail the highest node before it is flagged.")
    var lag: Int64 = 10

    @Option(help: .hidden)
    var printProbe: String?

    @Flag(help: "Redraw the table every --interval until Ctrl-C, over one SSH session per node kept open.")
    var watch = false

    @Option(
        help: ArgumentHelp("Time between refreshes with --watch (default 2s), e.g. 500ms, 5s.", valueName: "duration"),
        transform: StatusCommand.intervalValue)
    var interval: Duration?

    func validate() throws {
        if interval != nil && !watch { throw ValidationError("--interval needs --watch") }
    }

    /// `--interval`'s value: as `--timeout`'s, a Go duration or a number of seconds, positive.
    static func intervalValue(_ text: String) throws -> Duration {
        do { return try GlobalOptions.duration(text) } catch {
            throw ValidationError("--interval must be a positive duration such as 2s or 500ms, got \(text)")
        }
    }

    func run() async throws {
        let (inventory, hosts) = try global.selectedHosts()
        if let name = printProbe {
            guard let host = inventory.host(named: name) else { throw ValidationError("no host \(name)") }
            switch FleetStatusCollector.probeTarget(for: host) {
            case .success(let target): Terminal.out(NodeProbe.command(for: target) + "\n")
            case .failure(let error): throw ValidationError(error.description)
            }
            return
        }
        let settings = SSHClientSettings(global)
        if watch {
            await watchFleet(hosts, settings: settings)
            return
        }
        let observations = await FleetStatusCollector.collect(
            hosts: hosts, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
            now: Date().formatted(.iso8601), timeout: global.timeout, logger: global.logger
        )
        let assessment = FleetAssessment(observations, policy: .init(lagThreshold: lag))
        if global.json {
            let report = StatusReport(nodes: observations, findings: assessment.findings, exitCode: assessment.exitCode)
            Terminal.out(String(decoding: try NodeStatus.encoder.encode(report), as: UTF8.self) + "\n")
        } else {
            Terminal.out(StatusRenderer(terminal: .current, wide: wide).render(observations, assessment))
        }
        if assessment.exitCode != 0 { throw ExitCode(assessment.exitCode) }
    }
}

/// `fleet status --json`, and each line of `fleet status --watch --json` (which adds the refresh fields).
struct StatusReport: Encodable {
    var nodes: [HostObservation]
    var findings: [FleetFinding]
    var exitCode: Int32
    /// With --watch: when the refresh finished (RFC 3339, UTC).
    var time: String?
    /// With --watch: how long reading every node took, in milliseconds.
    var refreshMs: Int?
    /// With --watch: nodes that answered.
    var reachable: Int?

    /// One compact line (snake_case keys, sorted), as --watch --json prints it.
    func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
