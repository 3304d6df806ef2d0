import FleetCore
import Foundation

/// Draws `fleet status`: one row per node grouped by role, then the findings.
///
/// Everything a node reported (versions, link targets, names, errors) goes through
/// ``TerminalText/escaped(_:keeping:limit:)``: control characters are shown, never obeyed, and long
/// values are cut.
struct StatusRenderer {
    /// Colour or not.
    var terminal: Terminal
    /// Show full hashes.
    var wide: Bool

    /// The whole screen for `observations` (inventory order) and their assessment.
    func render(_ observations: [HostObservation], _ assessment: FleetAssessment) -> String {
        var headers = [
            "NODE", "VIA", "CURRENT", "VERSION", "STAGED", "PLAN", "HEIGHT", "SYNC", "CONSENSUS KEY", "DISK FREE",
        ]
        if wide { headers.insert("CURRENT SHA256", at: 4) }
        var table = TextTable(headers: headers)
        let flagged = Dictionary(
            grouping: assessment.findings.flatMap { f in f.hosts.map { ($0, f.severity) } }, by: \.0
        )
        .mapValues { $0.map(\.1).max() ?? .info }
        for role in ["validator", "sentry", "full"] {
            let members = observations.filter { $0.role == role }
            guard !members.isEmpty else { continue }
            table.rows.append(.section(terminal.paint("\(Self.plural[role] ?? role) (\(members.count))", .bold)))
            for observation in members {
                table.rows.append(.cells(row(observation, severity: flagged[observation.host])))
            }
        }
        var out = table.render()
        let unreachable = observations.filter { !$0.reachable }.count
        out += "\n\(observations.count) nodes, \(observations.count - unreachable) reachable"
        if assessment.findings.isEmpty {
            out += "; no findings.\n"
            return out
        }
        out += "; \(assessment.findings.count) finding\(assessment.findings.count == 1 ? "" : "s"):\n"
        for finding in assessment.findings {
            out +=
                "  " + label(finding.severity) + " "
                + TerminalText.escaped(finding.message, limit: TerminalText.messageLimit) + "\n"
        }
        return out
    }

    private func row(_ observation: HostObservation, severity: FleetFinding.Severity?) -> [String] {
        let host = TerminalText.escaped(observation.host)
        let name = severity.map { $0 >= .error ? terminal.paint(host, .red) : host } ?? host
        guard let status = observation.status else {
            // The reason can be long (fingerprints, hints): it is printed once, with the findings below.
            var cells = [name, "-", terminal.paint("unreachable", .red), "", "", "", "", "", "", ""]
            if wide { cells.insert("", at: 4) }
            return cells
        }
        let via = observation.source == .agent ? (status.agent?.running == true ? "agent" : "agent (stopped)") : "probe"
        let staged = status.binaries.filter { $0.name != "genesis" }.map { binary in
            let name = TerminalText.escaped(binary.name)
            return binary.path == nil
                ? name + "(empty)" : binary.executable ? name : name + terminal.paint("(!x)", .red)
        }
        let plan =
            status.pendingPlan.map { plan in
                let text = "\(TerminalText.escaped(plan.name))@\(plan.height)"
                return plan.binaryStaged ? text : terminal.paint(text + " (no binary)", .red)
            } ?? "-"
        let height = status.chain?.height.map(String.init) ?? terminal.paint("?", .yellow)
        let sync: String
        switch status.chain?.catchingUp {
        case .some(true): sync = terminal.paint("catching up", .yellow)
        case .some(false): sync = terminal.paint("in sync", .green)
        case .none: sync = terminal.paint(status.chain?.error.map { _ in "rpc down" } ?? "-", .yellow)
        }
        let key: String
        if let signer = status.consensus.remoteSigner {
            key = "signer " + TerminalText.escaped(signer)
        } else if let address = status.consensus.address {
            key = TerminalText.escaped(wide ? address : String(address.prefix(12)) + "…")
        } else {
            key = "-"
        }
        var cells = [
            name, via, status.current.target.map { TerminalText.escaped($0) } ?? terminal.paint("(missing)", .red),
            status.current.version.map { TerminalText.escaped($0) } ?? "-",
            staged.isEmpty ? "-" : staged.joined(separator: ","), plan, height, sync, key,
            status.disk.map { Self.bytes($0.freeBytes) } ?? "-",
        ]
        if wide { cells.insert(status.current.sha256.map { TerminalText.escaped($0) } ?? "-", at: 4) }
        return cells
    }

    private func label(_ severity: FleetFinding.Severity) -> String {
        switch severity {
        case .critical: terminal.paint("CRITICAL", .boldRed)
        case .error: terminal.paint("ERROR   ", .red)
        case .warning: terminal.paint("WARNING ", .yellow)
        case .info: terminal.paint("INFO    ", .dim)
        }
    }

    private static let plural = ["validator": "validators", "sentry": "sentries", "full": "full nodes"]

    static func bytes(_ count: Int64) -> String {
        let gib = Double(count) / 1_073_741_824
        if gib >= 10 { return String(format: "%.0f GiB", gib) }
        if gib >= 1 { return String(format: "%.1f GiB", gib) }
        return String(format: "%.0f MiB", Double(count) / 1_048_576)
    }
}
