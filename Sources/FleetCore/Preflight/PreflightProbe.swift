public import Foundation

/// The one remote command that reads what the preflight needs from a node: ``NodeProbe``'s command (the
/// status document, from `node-agent status --json` where the agent is installed), the agent's backup
/// estimate, and the RPC height read once before and once after, with the node's clock, for the block time.
///
/// ``command(for:)`` builds it (every interpolated value shell-quoted); ``parse(stdout:exitStatus:target:collectedAt:)``
/// splits and reads the output. Both are pure.
public enum PreflightProbe {
    /// The line that separates the status part from the preflight's own lines.
    public static let marker = "#fleet-preflight"

    /// The remote command for `target`.
    public static func command(for target: NodeProbe.Target) -> String {
        let agent = target.agentPath ?? "node-agent"
        return """
            RPC=\(ShellQuote.quote(target.nodeRPC))
            s() { t=$(date +%s%3N 2>/dev/null); r=$(curl -fsS -m 3 "$RPC/status" 2>/dev/null | tr -d '\\n' | cut -c1-4096); printf 'sample\\t%s\\t%s\\n' "$t" "$(printf '%s' "$r" | base64 -w0 2>/dev/null)"; }
            S0=$(s)
            (
            \(NodeProbe.command(for: target))
            )
            echo
            echo '\(marker)'
            echo "$S0"
            H=\(ShellQuote.quote(target.daemonHome)); N=\(ShellQuote.quote(target.daemonName)); A=\(ShellQuote.quote(agent))
            case "$A" in */*) ;; *) A=$(command -v "$A" 2>/dev/null || true) ;; esac
            if [ -n "$A" ] && [ -x "$A" ]; then
              e=$(DAEMON_HOME="$H" DAEMON_NAME="$N" COSMOVISOR_DISABLE_LOGS=true "$A" backups --estimate --json 2>&1 | head -c 4096)
              printf 'estimate\\t%s\\n' "$(printf '%s' "$e" | base64 -w0 2>/dev/null)"
            fi
            s
            """
    }

    /// Reads the output of ``command(for:)``.
    ///
    /// - Returns: the reading (its observation's source says agent or probe).
    /// - Throws: ``NodeProbe/ParseError`` when the status part is unreadable.
    public static func parse(
        stdout: Data, exitStatus: Int32, host: String, role: String, target: NodeProbe.Target, collectedAt: String
    ) throws(NodeProbe.ParseError) -> PreflightReading {
        let text = String(decoding: stdout, as: UTF8.self)
        let separator = "\n" + marker + "\n"
        let parts = text.components(separatedBy: separator)
        let statusPart = parts.count > 1 ? parts.dropLast().joined(separator: separator) : text
        let (status, source) = try NodeProbe.parse(
            stdout: Data(statusPart.utf8), exitStatus: exitStatus, target: target, collectedAt: collectedAt)
        var reading = PreflightReading(
            observation: HostObservation(host: host, role: role, status: status, source: source))
        guard parts.count > 1 else {
            reading.estimateError = "the probe stopped early"
            return reading
        }
        reading.estimateError = "node-agent is not installed on the node"
        for line in parts[parts.count - 1].split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "sample":
                guard fields.count >= 3, let millis = Int64(fields[1]),
                    let body = Data(base64Encoded: fields[2]), let comet = try? CometBFTStatus.parse(body)
                else { continue }
                reading.samples.append(.init(height: comet.height, unixMilliseconds: millis))
            case "estimate":
                let body = fields.count > 1 ? Data(base64Encoded: fields[1]) ?? Data() : Data()
                if let estimate = try? BackupEstimate.decode(body) {
                    reading.estimate = estimate
                    reading.estimateError = nil
                } else {
                    let excerpt = String(decoding: body.prefix(300), as: UTF8.self)
                    reading.estimateError = "node-agent backups --estimate: \(excerpt)"
                }
            default: continue
            }
        }
        return reading
    }
}
