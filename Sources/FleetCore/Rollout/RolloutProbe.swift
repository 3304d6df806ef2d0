public import Foundation

/// The one remote command `fleet rollout` / `rollback` read a node with, and its parser (both pure).
///
/// Each line is `tag<TAB>base64`: `agent` (`node-agent status --json`), `rpc` (the RPC's `/status`),
/// `state` (the agent's state file), `record` (an `upgrade-info.json`, with its path), `manual`
/// (`manual-upgrades.json`). Every interpolated value is shell-quoted.
public enum RolloutProbe {
    /// The command for `target`.
    public static func command(for target: NodeProbe.Target) -> String {
        """
        H=\(ShellQuote.quote(target.daemonHome)); N=\(ShellQuote.quote(target.daemonName)); \
        RPC=\(ShellQuote.quote(target.nodeRPC)); A=\(ShellQuote.quote(target.agentPath ?? "node-agent"))
        b64() { base64 -w0 2>/dev/null || base64 | tr -d '\\n'; }
        get() { if command -v curl >/dev/null 2>&1; then curl -fsS -m 3 "$1" 2>&1; \
        elif command -v wget >/dev/null 2>&1; then wget -q -T 3 -O - "$1" 2>&1; else echo 'no curl or wget on the node'; return 1; fi; }
        case "$A" in */*) ;; *) A=$(command -v "$A" 2>/dev/null || true) ;; esac
        if [ -n "$A" ] && [ -x "$A" ]; then
          s=$(DAEMON_HOME="$H" DAEMON_NAME="$N" NODE_AGENT_RPC="$RPC" COSMOVISOR_DISABLE_LOGS=true "$A" status --json 2>/dev/null)
          printf 'agent\\t%s\\n' "$(printf '%s' "$s" | b64)"
        fi
        if r=$(get "$RPC/status"); then printf 'rpc\\t%s\\n' "$(printf '%s' "$r" | b64)"; \
        else printf 'rpcerror\\t%s\\n' "$(printf '%s' "$r" | head -c 300 | b64)"; fi
        f="$H/cosmovisor/.node-agent/state.json"; [ -f "$f" ] && printf 'state\\t%s\\n' "$(b64 < "$f")"
        f="$H/cosmovisor/.node-agent/manual-upgrades.json"; [ -f "$f" ] && printf 'manual\\t%s\\n' "$(b64 < "$f")"
        for f in "$H/data/upgrade-info.json" "$H"/cosmovisor/upgrades/*/upgrade-info.json; do
          [ -f "$f" ] && printf 'record\\t%s\\t%s\\n' "$(printf '%s' "${f#"$H/"}" | b64)" "$(head -c 65536 "$f" | b64)"
        done
        exit 0
        """
    }

    /// The command that reads one page (1-based) of the RPC's `/validators`, 100 validators a page.
    public static func validatorsCommand(rpc: String, page: Int) -> String {
        let url = ShellQuote.quote("\(rpc)/validators?page=\(max(1, page))&per_page=100")
        return "if command -v curl >/dev/null 2>&1; then curl -fsS -m 3 \(url); else wget -q -T 3 -O - \(url); fi"
    }

    /// Parses the output of ``command(for:)`` for `host`.
    public static func parse(_ stdout: Data, host: String) -> RolloutObservation {
        var observation = RolloutObservation(host: host)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        var sawAgent = false
        for line in String(decoding: stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2 else { continue }
            let body = Data(base64Encoded: fields[1]) ?? Data()
            switch fields[0] {
            case "agent":
                sawAgent = true
                observation.status = try? NodeStatus.decode(body)
                if observation.status == nil {
                    observation.error =
                        "node-agent status --json answered: "
                        + TerminalText.escaped(String(decoding: body.prefix(300), as: UTF8.self))
                }
            case "rpc":
                do {
                    observation.chain = try CometBFTStatus.parse(body)
                } catch {
                    observation.chainError = String(describing: error)
                }
            case "rpcerror":
                observation.chainError = String(decoding: body.prefix(300), as: UTF8.self)
            case "state":
                observation.state = try? decoder.decode(AgentRuntimeState.self, from: body)
            case "manual":
                if let schedule = try? decoder.decode(ManualUpgradeSchedule.self, from: body) {
                    let file = "cosmovisor/.node-agent/manual-upgrades.json"
                    observation.records += schedule.upgrades.map { .init(file: file, name: $0.name, height: $0.height) }
                }
            case "record":
                guard fields.count >= 3, let data = Data(base64Encoded: fields[2]),
                    let plan = try? UpgradePlan.decode(data)
                else { continue }
                observation.records.append(
                    .init(file: String(decoding: body, as: UTF8.self), name: plan.name, height: plan.height))
            default: continue
            }
        }
        if !sawAgent && observation.error == nil {
            observation.error = "no node-agent on the node (agent_path); rollout needs the agent's control channel"
        }
        return observation
    }
}
