import FleetCore
import Foundation

/// The output of `fleet install-agent`: one line per host, then the counts; or the `--json` report.
///
/// Reasons can quote what a node printed, so they are escaped and bounded before reaching the terminal.
struct InstallRenderer {
    var terminal: Terminal

    /// One line per host ("validator-1: agent already installed, already running (pid 42)"), each refusal
    /// and failure with its reason, then "N started, M already running, …".
    func summary(_ reports: [InstallHostReport]) -> String {
        var out = ""
        for report in reports {
            let host = TerminalText.escaped(report.host)
            if !report.result.succeeded {
                let reason = TerminalText.escaped(
                    report.error ?? "", keeping: .lineBreaks, limit: TerminalText.messageLimit)
                out += terminal.paint("\(host): \(report.result.rawValue): ", .red) + reason + "\n"
                continue
            }
            out += "\(host): " + Self.steps(report).joined(separator: ", ") + "\n"
        }
        let counts = Dictionary(grouping: reports, by: \.result).mapValues(\.count)
        let line =
            "\(counts[.started, default: 0]) started, \(counts[.alreadyRunning, default: 0]) already running, "
            + "\(counts[.installed, default: 0]) installed (not started), \(counts[.refused, default: 0]) refused, "
            + "\(counts[.failed, default: 0]) failed"
        return out + terminal.paint(line, reports.allSatisfy(\.result.succeeded) ? .green : .red) + "\n"
    }

    /// What was done on a host that succeeded, in order.
    static func steps(_ report: InstallHostReport) -> [String] {
        var steps: [String] = []
        let path = TerminalText.escaped(report.agentPath ?? "agent_path")
        switch report.agent {
        case .staged: steps.append("agent installed at \(path)")
        case .alreadyStaged: steps.append("agent already installed at \(path)")
        default: break
        }
        if let genesis = report.genesis {
            steps.append(genesis == .staged ? "genesis staged" : "genesis already staged")
        }
        if report.initialized { steps.append("cosmovisor tree initialised") }
        if let unit = report.unit {
            let unitPath = TerminalText.escaped(report.unitPath ?? "unit")
            steps.append(unit == .written ? "unit written to \(unitPath)" : "unit \(unitPath) unchanged")
        }
        let pid = report.pid.map { " (pid \($0))" } ?? ""
        switch report.result {
        case .started: steps.append("started" + pid)
        case .alreadyRunning where report.agent == .staged:
            steps.append(
                "already running" + pid + " on the previous binary, not restarted: restart it to run the new one")
        case .alreadyRunning: steps.append("already running" + pid + ", not restarted")
        case .installed: steps.append("not started (use --enable)")
        case .refused, .failed: break
        }
        return steps
    }

    /// The `--json` report: `{"hosts": [...], "summary": {...}}`.
    func json(_ reports: [InstallHostReport]) throws -> Data {
        let counts = Dictionary(grouping: reports, by: \.result).mapValues(\.count)
        let summary = Dictionary(
            uniqueKeysWithValues: InstallResult.allCases.map { ($0.rawValue, counts[$0, default: 0]) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(InstallReport(hosts: reports, summary: summary))
    }
}

/// `fleet install-agent --json`.
private struct InstallReport: Encodable {
    var hosts: [InstallHostReport]
    var summary: [String: Int]
}
