import FleetCore
import Foundation

extension AgentConfiguration {
    /// The 17 cosmovisor keys in the order cosmovisor writes them, then the agent's own.
    static let fileKeys = [
        "daemon_home", "daemon_name", "daemon_allow_download_binaries", "daemon_download_must_have_checksum",
        "daemon_restart_after_upgrade", "daemon_restart_delay", "daemon_shutdown_grace", "daemon_poll_interval",
        "unsafe_skip_backup", "daemon_data_backup_dir", "daemon_preupgrade_max_retries", "daemon_grpc_address",
        "cosmovisor_disable_logs", "cosmovisor_color_logs", "cosmovisor_timeformat_logs",
        "cosmovisor_custom_preupgrade", "cosmovisor_disable_recase", "node_agent_rpc", "node_agent_state_file",
    ]

    /// Reads `config.toml` (cosmovisor `GetConfigFromFile`), with environment variables overriding file
    /// values, then validates.
    ///
    /// An empty `path` means environment mode. Unlike cosmovisor, a key missing from the file takes its
    /// documented default, and values are checked as strictly as environment values.
    ///
    /// - Throws: ``AgentError``: `config not found: at <path> : <err>`, `failed to read config
    ///   file: <err>`, or the collected parse and validation problems.
    static func fromFile(
        _ path: String,
        environment: [String: String],
        validation: Validation = .full
    ) throws(AgentError) -> AgentConfiguration {
        if path.isEmpty { return try fromEnvironment(environment, validation: validation) }
        var info = stat()
        if stat(path, &info) != 0 {
            throw AgentError.configuration("config not found: at \(path) : stat \(path): \(GoText.errno(errno))")
        }
        let document: TOMLDocument
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            document = try TOMLDocument(parsing: text)
        } catch {
            throw AgentError.configuration("failed to read config file: \(error)")
        }
        let (configuration, problems) = parse { name in
            if let value = environment[name], !value.isEmpty { return .string(value) }
            return document[name.lowercased()]
        }
        let all = problems + configuration.problems(validation)
        if !all.isEmpty { throw AgentError.configuration(all) }
        return configuration
    }

    /// The `config.toml` document `init` writes: durations as integer nanoseconds, the time format as its
    /// option name, the agent's own keys last (`node_agent_state_file` and `node_agent_listen` when set, so
    /// `run --cosmovisor-config` keeps the state file and the HTTP listener `init` was given).
    var tomlDocument: TOMLDocument {
        var entries: [(key: String, value: ConfigValue)] = [
            ("daemon_home", .string(home)),
            ("daemon_name", .string(name)),
            ("daemon_allow_download_binaries", .bool(allowDownload)),
            ("daemon_download_must_have_checksum", .bool(downloadMustHaveChecksum)),
            ("daemon_restart_after_upgrade", .bool(restartAfterUpgrade)),
            ("daemon_restart_delay", .integer(GoDuration.nanoseconds(restartDelay ?? .zero))),
            ("daemon_shutdown_grace", .integer(GoDuration.nanoseconds(shutdownGrace ?? .zero))),
            ("daemon_poll_interval", .integer(GoDuration.nanoseconds(pollInterval))),
            ("unsafe_skip_backup", .bool(skipBackup)),
            ("daemon_data_backup_dir", .string(backupDir)),
            ("daemon_preupgrade_max_retries", .integer(Int64(preUpgradeMaxRetries))),
            ("daemon_grpc_address", .string(grpcAddress)),
            ("cosmovisor_disable_logs", .bool(disableLogs)),
            ("cosmovisor_color_logs", .bool(colorLogs)),
            ("cosmovisor_timeformat_logs", .string(timeFormat?.rawValue ?? "")),
            ("cosmovisor_custom_preupgrade", .string(customPreUpgrade)),
            ("cosmovisor_disable_recase", .bool(disableRecase)),
            ("node_agent_rpc", .string(rpcURL)),
        ]
        if let stateFile { entries.append(("node_agent_state_file", .string(stateFile))) }
        if let listen { entries.append(("node_agent_listen", .string(listen.description))) }
        return TOMLDocument(entries: entries)
    }
}
