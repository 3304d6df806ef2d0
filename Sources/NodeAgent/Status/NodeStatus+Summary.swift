import FleetCore

extension NodeStatus {
    /// A few lines for a person at the terminal (`node-agent status` without `--json`).
    var summary: String {
        var lines: [String] = []
        lines.append("node \(daemonName) at \(daemonHome)")
        let agentLine =
            agent.map { $0.running ? "running (pid \($0.pid.map(String.init) ?? "?"))" : "not running" } ?? "unknown"
        lines.append("agent: \(agentLine), version \(agent?.version ?? "?")")
        var currentLine = "current: \(current.target ?? "missing")"
        if let error = current.error { currentLine += " (unusable: \(error))" }
        if let version = current.version { currentLine += " version \(version)" }
        if let sha = current.sha256 { currentLine += " sha256 \(sha.prefix(12))…" }
        lines.append(currentLine)
        for binary in binaries {
            let detail =
                binary.path == nil
                ? "no binary"
                : "\(binary.version ?? "?") sha256 \(binary.sha256?.prefix(12) ?? "?")…\(binary.executable ? "" : " (not executable)")"
            lines.append("  \(binary.name): \(detail)")
        }
        if let plan = pendingPlan {
            lines.append(
                "pending plan: \(plan.name) at height \(plan.height)\(plan.binaryStaged ? "" : " (binary not staged)")"
            )
        }
        if let child {
            lines.append("child: \(child.state), pid \(child.pid.map(String.init) ?? "-"), starts \(child.starts)")
        }
        if let chain {
            if let height = chain.height {
                lines.append("chain: height \(height)\(chain.catchingUp == true ? " (catching up)" : "")")
            } else {
                lines.append("chain: unavailable (\(chain.error ?? "no answer"))")
            }
        }
        if let remote = consensus.remoteSigner {
            lines.append("consensus: remote signer \(remote)")
        } else {
            lines.append("consensus: \(consensus.address ?? "no key")")
        }
        if let disk {
            lines.append("disk: \(disk.freeBytes / (1 << 20)) MiB free of \(disk.totalBytes / (1 << 20)) MiB")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
