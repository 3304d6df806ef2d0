/// The unit `node-agent systemd-unit` prints: a drop-in for the cosmovisor guide's `cosmovisor.service`
/// that systemd understands (readiness, watchdog, stop timeouts long enough for an upgrade).
///
/// Pure: the command gathers the inputs (``variables(in:)`` picks the settings from the environment).
///
/// ```swift
/// let unit = SystemdUnit(executable: "/usr/local/bin/node-agent", home: "/home/val/.gaia", daemonName: "gaiad")
/// print(unit.text)
/// ```
struct SystemdUnit: Sendable, Equatable {
    /// The agent binary `ExecStart=` runs.
    var executable: String
    /// `DAEMON_HOME`: the node's `--home`.
    var home: String
    /// `DAEMON_NAME`, for the description.
    var daemonName: String
    /// `User=`; `nil` leaves the line out (systemd then runs the service as root).
    var user: String?
    /// A `config.toml` given with `--cosmovisor-config`, passed on to `run`.
    var configFile: String?
    /// `Environment=` lines, in order.
    var environment: [Variable] = []
    /// `DAEMON_SHUTDOWN_GRACE`; `TimeoutStopSec=` is longer.
    var shutdownGrace: Duration?
    /// `DAEMON_POLL_INTERVAL`: the agent's loop, which feeds the watchdog, ticks at this period.
    var pollInterval: Duration = .milliseconds(300)

    /// One `KEY=value` setting.
    struct Variable: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// How much longer than `DAEMON_SHUTDOWN_GRACE` systemd waits for a stop (the agent's own exit, the
    /// group's leftovers).
    static let stopMargin = 30
    /// The shortest `WatchdogSec=`.
    static let minimumWatchdogSeconds = 30

    /// `WatchdogSec=` in seconds: at least 30 s and 4 poll periods (the agent pings at half of it, from
    /// its loop's tick).
    var watchdogSeconds: Int {
        max(Self.minimumWatchdogSeconds, Self.ceilingSeconds(pollInterval * 4))
    }

    /// `TimeoutStopSec=` in seconds: the grace plus ``stopMargin``.
    var stopTimeoutSeconds: Int {
        Self.ceilingSeconds(shutdownGrace ?? .zero) + Self.stopMargin
    }

    /// The unit file.
    var text: String {
        var command = [executable, "run"]
        if let configFile { command += ["--\(Invocation.configFlagName)", configFile] }
        command += ["start", "--home", home]
        var lines = [
            "[Unit]",
            "Description=" + SystemdSyntax.escape("cosmovisor (node-agent) for \(daemonName)", dollar: false),
            "After=network-online.target",
            "Wants=network-online.target",
            "",
            "[Service]",
        ]
        if let user { lines.append("User=" + SystemdSyntax.escape(user, dollar: false)) }
        lines += [
            "ExecStart=" + command.map(SystemdSyntax.commandWord).joined(separator: " "),
            "Type=notify",
            "NotifyAccess=main",
            "WatchdogSec=\(watchdogSeconds)s",
            "Restart=on-failure",
            "RestartSec=3",
            "KillMode=mixed",
            "TimeoutStopSec=\(stopTimeoutSeconds)s",
            "LimitNOFILE=65535",
        ]
        lines += environment.map { "Environment=" + SystemdSyntax.environmentAssignment($0.name, $0.value) }
        lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
        return lines.joined(separator: "\n")
    }

    /// The settings of cosmovisor and the agent that are set in `environment` (set to the empty string
    /// included: `COSMOVISOR_TIMEFORMAT_LOGS=` means no timestamp): cosmovisor's keys in its order, then
    /// every other `NODE_AGENT_*`, `DAEMON_*` and `COSMOVISOR_*` variable by name. The debug builds' test
    /// hooks (`NODE_AGENT_TEST_*`) are left out.
    static func variables(in environment: [String: String]) -> [Variable] {
        let known = AgentConfiguration.fileKeys.map { $0.uppercased() }
        let others = environment.keys.filter { key in
            !known.contains(key) && !key.hasPrefix("NODE_AGENT_TEST_")
                && ["NODE_AGENT_", "DAEMON_", "COSMOVISOR_"].contains { key.hasPrefix($0) }
        }
        return (known + others.sorted()).compactMap { key in environment[key].map { Variable(name: key, value: $0) } }
    }

    private static func ceilingSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
