/// The remote commands of `fleet install-agent`, built as strings (pure); every interpolated value goes
/// through ``ShellQuote``.
public enum InstallScript {
    /// One round trip: `uid`, `layout`, `systemd`, `agent` (the resolved `agent_path`, base64) and one
    /// `proc` line per process whose command line mentions the daemon's name or `node-agent`
    /// (`proc<TAB>pid<TAB>ppid<TAB>exe base64<TAB>service<TAB>NUL-separated argv base64`). Read by
    /// ``InstallInspection/parse(_:)``.
    public static func inspect(_ target: InstallTarget) -> String {
        """
        H=\(ShellQuote.quote(target.daemonHome)); N=\(ShellQuote.quote(target.daemonName)); \
        A=\(ShellQuote.quote(target.agentPath))
        b64() { base64 | tr -d '\\n'; }
        printf 'uid\\t%s\\n' "$(id -u)"
        if [ -L "$H/cosmovisor/current" ] || [ -f "$H/cosmovisor/genesis/bin/$N" ]; then l=1; else l=0; fi
        printf 'layout\\t%s\\n' "$l"
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then s=1; else s=0; fi
        printf 'systemd\\t%s\\n' "$s"
        printf 'agent\\t%s\\n' "$(readlink -f -- "$A" 2>/dev/null | b64)"
        for f in $(grep -lsaF -e "$N" -e node-agent /proc/[0-9]*/cmdline 2>/dev/null); do
          d=${f%/cmdline}; p=${d#/proc/}
          [ "$p" = "$$" ] && continue
          c=$(b64 < "$f" 2>/dev/null); [ -n "$c" ] || continue
          pp=$(sed -n 's/^PPid:[[:space:]]*//p' "$d/status" 2>/dev/null)
          e=$(readlink "$d/exe" 2>/dev/null | b64)
          u=$(grep -o '[^/]*\\.service' "$d/cgroup" 2>/dev/null | tail -n1)
          printf 'proc\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$p" "$pp" "$e" "$u" "$c"
        done
        exit 0
        """
    }

    /// `env KEY=VALUE … <agent> ARGS` with the target's environment, each word quoted.
    static func agentCommand(_ target: InstallTarget, _ arguments: [String]) -> String {
        ShellQuote.command(
            ["env"] + target.environment.map { "\($0.name)=\($0.value)" } + [target.agentPath] + arguments)
    }

    /// `node-agent init <genesis binary>`: creates `current` and `config.toml` beside the genesis binary
    /// already staged there (init keeps a binary that is in place). stdin is empty, so an existing
    /// `config.toml` is kept.
    public static func initialize(_ target: InstallTarget) -> String {
        "cd / && " + agentCommand(target, ["init", target.layout.genesisBinary]) + " </dev/null"
    }

    /// `node-agent systemd-unit --exec <agent_path>`, run on the node so the unit is the agent's own.
    public static func unitText(_ target: InstallTarget) -> String {
        "cd / && " + agentCommand(target, ["systemd-unit", "--exec", target.agentPath]) + " </dev/null"
    }

    /// Writes the unit given on stdin to ``InstallTarget/unitPath`` (through a temp name and `mv`, with
    /// `sudo -n` when `sudo`). Prints `unchanged` when the file already holds it, `differs` (and writes
    /// nothing) when another file is there and not `force`, `written` otherwise.
    public static func writeUnit(_ target: InstallTarget, sudo: Bool, force: Bool) -> String {
        """
        U=\(ShellQuote.quote(target.unitPath)); S=\(sudo ? "'sudo -n'" : "''")
        T=$(mktemp) || exit 1
        trap 'rm -f "$T"' EXIT
        cat > "$T" || exit 1
        if [ -f "$U" ] && cmp -s "$T" "$U"; then echo unchanged; exit 0; fi
        if [ -e "$U" ] && [ \(force ? "1" : "0") != 1 ]; then echo differs; exit 0; fi
        $S install -m 0644 "$T" "$U.fleet-new" && $S mv -f "$U.fleet-new" "$U" || exit 1
        echo written
        """
    }

    /// `systemctl daemon-reload && systemctl enable [--now] <unit>` (each with `sudo -n` when `sudo`);
    /// `start` false when an agent already runs (enable it for the next boot, start nothing).
    public static func enable(_ target: InstallTarget, sudo: Bool, start: Bool) -> String {
        let prefix = sudo ? ["sudo", "-n"] : []
        let unit = target.serviceName + ".service"
        return ShellQuote.command(prefix + ["systemctl", "daemon-reload"]) + " && "
            + ShellQuote.command(prefix + ["systemctl", "enable"] + (start ? ["--now"] : []) + [unit])
    }

    /// Starts the agent detached: its own session (`setsid -f`, so it is no child of the SSH session and
    /// gets no hang-up when it ends), stdin from /dev/null, stdout and stderr appended to
    /// ``InstallTarget/logFile``, working directory `daemon_home`.
    public static func startDetached(_ target: InstallTarget) -> String {
        let log = ShellQuote.quote(target.logFile)
        return "mkdir -p \(ShellQuote.quote(target.layout.agentDirectory)) && cd \(ShellQuote.quote(target.daemonHome))"
            + " && setsid -f " + agentCommand(target, target.runArguments) + " </dev/null >>\(log) 2>&1"
    }

    /// `node-agent status --json` (the running agent answers on its control socket, else the state file).
    public static func status(_ target: InstallTarget) -> String {
        "cd / && "
            + ShellQuote.command(
                ["env"] + target.environment.map { "\($0.name)=\($0.value)" } + ["COSMOVISOR_DISABLE_LOGS=true"]
                    + [target.agentPath, "status", "--json"]) + " </dev/null"
    }

    /// The last `lines` lines of the detached agent's log.
    public static func logTail(_ target: InstallTarget, lines: Int = 20) -> String {
        "tail -n \(max(1, lines)) \(ShellQuote.quote(target.logFile)) 2>&1"
    }

    /// A sentence for a failed `sudo -n` step, or nil when `stderr` is not sudo asking for a password.
    public static func sudoProblem(stderr: String, host: String) -> String? {
        let asked = ["a password is required", "a terminal is required", "no tty present", "askpass"]
        guard asked.contains(where: { stderr.contains($0) }) else { return nil }
        return "sudo on \(host) needs a password (sudo -n refused): allow the SSH user passwordless sudo for "
            + "install, mv and systemctl, or connect as root (ansible_user=root)"
    }

    /// The refusal for a daemon that runs outside the agent, saying how to stop it.
    public static func foreignDaemonMessage(_ process: InstallInspection.NodeProcess, target: InstallTarget) -> String {
        let command = process.arguments.joined(separator: " ")
        let bounded =
            command.utf8.count > 200 ? String(decoding: command.utf8.prefix(200), as: UTF8.self) + "…" : command
        var message =
            "\(target.daemonName) already runs outside node-agent on this node (pid \(process.pid): \(bounded)"
        let stop: String
        if let service = process.service {
            message += ", in \(service)"
            stop = "`sudo systemctl disable --now \(service)`"
        } else {
            stop = "`sudo systemctl disable --now cosmovisor` (or whatever service runs it) or `kill \(process.pid)`"
        }
        return message
            + "); starting the agent would start a second copy. Stop the old service first: \(stop), then run "
            + "fleet install-agent again"
    }
}
