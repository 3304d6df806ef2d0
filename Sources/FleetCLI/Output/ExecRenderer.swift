import FleetCore

/// Draws `fleet exec` output: a header per host, its output, then a summary.
///
/// On a terminal, what the nodes wrote has its control characters escaped (newlines and tabs kept) and
/// each stream is cut after ``streamLimit`` bytes; piped elsewhere, the output is passed on as it came.
/// Errors are always escaped.
struct ExecRenderer {
    var terminal: Terminal

    /// Bytes of one host's stdout or stderr shown on a terminal.
    static let streamLimit = 1 << 20

    func render(_ outcomes: [HostExecOutcome]) -> String {
        var out = ""
        for outcome in outcomes {
            out += terminal.paint("== \(TerminalText.escaped(outcome.host)) ", .bold) + status(outcome) + "\n"
            if let result = outcome.result {
                let output = stream(result.stdout)
                out += output
                if !output.isEmpty && !output.hasSuffix("\n") { out += "\n" }
                if result.stdoutTruncated { out += truncationNotice("stdout") }
                let errors = stream(result.stderr)
                if !errors.isEmpty {
                    out += terminal.paint(errors, .yellow)
                    if !errors.hasSuffix("\n") { out += "\n" }
                }
                if result.stderrTruncated { out += truncationNotice("stderr") }
            } else if let error = outcome.error {
                out += terminal.paint(TerminalText.escaped(error, limit: TerminalText.messageLimit), .red) + "\n"
            }
        }
        let failed = outcomes.filter { !$0.succeeded }
        out += "\n\(outcomes.count) hosts: \(outcomes.count - failed.count) ok"
        if !failed.isEmpty {
            out +=
                ", \(failed.count) failed ("
                + failed.map { "\(TerminalText.escaped($0.host)): \($0.failure ?? "")" }.joined(separator: ", ") + ")"
        }
        return out + "\n"
    }

    /// The line that says a stream went past what fleet keeps of it (the rest was read and dropped).
    private func truncationNotice(_ stream: String) -> String {
        terminal.paint(
            "(\(stream) truncated: fleet keeps the first \(ExecResult.defaultOutputLimit >> 20) MiB)", .yellow)
            + "\n"
    }

    private func stream(_ bytes: some Collection<UInt8>) -> String {
        guard terminal.isTTY else { return String(decoding: bytes, as: UTF8.self) }
        return TerminalText.escaped(bytes: bytes, keeping: .lineBreaks, limit: Self.streamLimit)
    }

    private func status(_ outcome: HostExecOutcome) -> String {
        guard let failure = outcome.failure else { return terminal.paint("(exit 0)", .green) }
        return terminal.paint("(\(failure))", .red)
    }
}
