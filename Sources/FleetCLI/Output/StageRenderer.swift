import FleetCore
import Foundation

/// The end of `fleet stage`: each refusal and failure with its reason, then the counts; or the `--json` report.
///
/// Reasons can quote what a node printed, so they are escaped and bounded before reaching the terminal.
struct StageRenderer {
    var terminal: Terminal

    /// The human summary: one line per refused or failed host, then "N staged, M already staged, …".
    func summary(_ reports: [StageHostReport]) -> String {
        var out = ""
        for report in reports where !report.result.succeeded {
            let reason = TerminalText.escaped(report.error ?? "", limit: TerminalText.messageLimit)
            out +=
                terminal.paint("\(TerminalText.escaped(report.host)): \(report.result.rawValue): ", .red) + reason
                + "\n"
        }
        let removed = reports.reduce(0) { $0 + $1.removedTemporaries }
        if removed > 0 { out += "removed \(removed) temp file\(removed == 1 ? "" : "s") left by an interrupted run\n" }
        let counts = Dictionary(grouping: reports, by: \.result).mapValues(\.count)
        let line =
            "\(counts[.staged, default: 0]) staged, \(counts[.alreadyStaged, default: 0]) already staged, "
            + "\(counts[.refused, default: 0]) refused, \(counts[.failed, default: 0]) failed"
        return out + terminal.paint(line, reports.allSatisfy(\.result.succeeded) ? .green : .red) + "\n"
    }

    /// The `--json` report: `{"sha256", "hosts": [...], "summary": {...}}`.
    func json(_ reports: [StageHostReport], sha256: String) throws -> Data {
        let counts = Dictionary(grouping: reports, by: \.result).mapValues(\.count)
        let report = StageReport(
            sha256: sha256, hosts: reports,
            summary: .init(
                staged: counts[.staged, default: 0], alreadyStaged: counts[.alreadyStaged, default: 0],
                refused: counts[.refused, default: 0], failed: counts[.failed, default: 0]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}

/// `fleet stage --json`.
private struct StageReport: Encodable {
    struct Summary: Encodable {
        var staged: Int
        var alreadyStaged: Int
        var refused: Int
        var failed: Int

        enum CodingKeys: String, CodingKey {
            case staged, refused, failed
            case alreadyStaged = "already_staged"
        }
    }

    var sha256: String
    var hosts: [StageHostReport]
    var summary: Summary
}
