import Foundation

// MARK: - Reading settings

extension AgentConfiguration {
    /// Reads the configuration from environment variables (cosmovisor `GetConfigFromEnv`).
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - validation: which checks follow parsing (`init` and `status` only need name and home).
    /// - Throws: ``AgentError`` with every parse problem, then every validation problem, in
    ///   cosmovisor's order.
    static func fromEnvironment(
        _ environment: [String: String],
        validation: Validation = .full
    ) throws(AgentError)
        -> AgentConfiguration
    {
        let (configuration, problems) = parse { environment[$0].map(ConfigValue.string) }
        let all = problems + configuration.problems(validation)
        if !all.isEmpty { throw AgentError.configuration(all) }
        return configuration
    }

    /// Builds a configuration from a lookup by environment-variable name, collecting every parse problem.
    ///
    /// Parse order (spec §3): download, must-have-checksum, restart, skip-backup, disable-logs, color,
    /// timeformat, recase, poll interval, restart delay, shutdown grace, retries; then the agent's own
    /// `NODE_AGENT_RPC`, `NODE_AGENT_STATE_FILE`, `NODE_AGENT_ALLOW_LOCAL_DOWNLOADS` and
    /// `NODE_AGENT_MAX_DOWNLOAD_BYTES`.
    static func parse(_ lookup: (String) -> ConfigValue?) -> (AgentConfiguration, [ConfigurationProblem]) {
        var problems: [ConfigurationProblem] = []
        func string(_ name: String) -> String {
            switch lookup(name) {
            case .string(let value): value
            case .bool(let value): String(value)
            case .integer(let value): String(value)
            case nil: ""
            }
        }
        func record<T>(_ body: () throws(ConfigurationProblem) -> T, default value: T) -> T {
            do { return try body() } catch {
                problems.append(error)
                return value
            }
        }
        let home = string("DAEMON_HOME")
        let backup = string("DAEMON_DATA_BACKUP_DIR")
        var configuration = AgentConfiguration(
            home: home,
            name: string("DAEMON_NAME"),
            backupDir: backup.isEmpty ? home : backup
        )
        configuration.customPreUpgrade = string("COSMOVISOR_CUSTOM_PREUPGRADE")

        configuration.allowDownload = record(
            { () throws(ConfigurationProblem) in
                try boolean("DAEMON_ALLOW_DOWNLOAD_BINARIES", lookup, default: false)
            },
            default: false
        )
        configuration.downloadMustHaveChecksum = record(
            { () throws(ConfigurationProblem) in
                try boolean("DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", lookup, default: false)
            },
            default: false
        )
        configuration.restartAfterUpgrade = record(
            { () throws(ConfigurationProblem) in
                try boolean("DAEMON_RESTART_AFTER_UPGRADE", lookup, default: true)
            },
            default: false
        )
        configuration.skipBackup = record(
            { () throws(ConfigurationProblem) in
                try boolean("UNSAFE_SKIP_BACKUP", lookup, default: false)
            },
            default: false
        )
        configuration.disableLogs = record(
            { () throws(ConfigurationProblem) in
                try boolean("COSMOVISOR_DISABLE_LOGS", lookup, default: false)
            },
            default: false
        )
        configuration.colorLogs = record(
            { () throws(ConfigurationProblem) in
                try boolean("COSMOVISOR_COLOR_LOGS", lookup, default: true)
            },
            default: false
        )
        configuration.timeFormat = record(
            { () throws(ConfigurationProblem) in
                guard lookup("COSMOVISOR_TIMEFORMAT_LOGS") != nil else { return .kitchen }
                return try LogTimeFormat.option(string("COSMOVISOR_TIMEFORMAT_LOGS"))
            },
            default: nil
        )
        configuration.disableRecase = record(
            { () throws(ConfigurationProblem) in
                try boolean("COSMOVISOR_DISABLE_RECASE", lookup, default: false)
            },
            default: false
        )
        configuration.pollInterval = record(
            { () throws(ConfigurationProblem) in
                try duration("DAEMON_POLL_INTERVAL", lookup, zeroMeansUnset: false) ?? .milliseconds(300)
            },
            default: .milliseconds(300)
        )
        configuration.restartDelay = record(
            { () throws(ConfigurationProblem) in
                try duration("DAEMON_RESTART_DELAY", lookup, zeroMeansUnset: true)
            },
            default: nil
        )
        configuration.shutdownGrace = record(
            { () throws(ConfigurationProblem) in
                try duration("DAEMON_SHUTDOWN_GRACE", lookup, zeroMeansUnset: true)
            },
            default: nil
        )
        configuration.preUpgradeMaxRetries = record(
            { () throws(ConfigurationProblem) in
                try integer("DAEMON_PREUPGRADE_MAX_RETRIES", lookup)
            },
            default: 0
        )
        let grpc = string("DAEMON_GRPC_ADDRESS")
        configuration.grpcAddress = grpc.isEmpty ? "localhost:9090" : grpc

        let rpcKey = string("NODE_AGENT_RPC_URL").isEmpty ? "NODE_AGENT_RPC" : "NODE_AGENT_RPC_URL"
        let rpc = string(rpcKey)
        if !rpc.isEmpty {
            if let url = URL(string: rpc), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                configuration.rpcURL = rpc.hasSuffix("/") ? String(rpc.dropLast()) : rpc
            } else {
                problems.append(
                    ConfigurationProblem(
                        "\(rpcKey) must be an http:// or https:// URL, got \(GoDuration.goQuote(rpc))"
                    )
                )
            }
        }
        configuration.allowLocalDownloads = record(
            { () throws(ConfigurationProblem) in
                try boolean("NODE_AGENT_ALLOW_LOCAL_DOWNLOADS", lookup, default: false)
            },
            default: false
        )
        let maxBytes = string("NODE_AGENT_MAX_DOWNLOAD_BYTES")
        if !maxBytes.isEmpty {
            if let value = Int64(maxBytes), value > 0 {
                configuration.maxDownloadBytes = value
            } else {
                problems.append(
                    ConfigurationProblem(
                        "NODE_AGENT_MAX_DOWNLOAD_BYTES must be a positive number of bytes, got "
                            + GoDuration.goQuote(maxBytes)
                    )
                )
            }
        }
        let stateFile = string("NODE_AGENT_STATE_FILE")
        if !stateFile.isEmpty {
            if stateFile.hasPrefix("/") {
                configuration.stateFile = stateFile
            } else {
                problems.append(ConfigurationProblem("NODE_AGENT_STATE_FILE must be an absolute path"))
            }
        }
        configuration.disableInotify = record(
            { () throws(ConfigurationProblem) in
                try agentSwitch("NODE_AGENT_DISABLE_INOTIFY", lookup)
            }, default: false)
        configuration.keepStartupPages = record(
            { () throws(ConfigurationProblem) in
                try agentSwitch("NODE_AGENT_KEEP_STARTUP_PAGES", lookup)
            }, default: false)
        let listen = string("NODE_AGENT_LISTEN")
        if !listen.isEmpty {
            configuration.listen = record(
                { () throws(ConfigurationProblem) in try ListenAddress.parse(listen) },
                default: nil
            )
        }
        return (configuration, problems)
    }

    // MARK: - Typed values

    /// The agent's own on/off switches: `1`/`true` or `0`/`false` (any case); unset or empty is off.
    static func agentSwitch(_ name: String, _ lookup: (String) -> ConfigValue?) throws(ConfigurationProblem) -> Bool {
        switch lookup(name) {
        case nil: return false
        case .bool(let flag): return flag
        case .integer(let number) where number == 0 || number == 1: return number == 1
        case .string(let text) where ["", "0", "false"].contains(text.lowercased()): return false
        case .string(let text) where ["1", "true"].contains(text.lowercased()): return true
        case .integer(let number): throw ConfigurationProblem("\(name) must be 1, 0, true or false, got \(number)")
        case .string(let text):
            throw ConfigurationProblem("\(name) must be 1, 0, true or false, got \(GoDuration.goQuote(text))")
        }
    }

    /// Strict bool: case-insensitive `true`/`false`; unset or empty gives the default.
    static func boolean(
        _ name: String, _ lookup: (String) -> ConfigValue?, default value: Bool
    )
        throws(ConfigurationProblem)
        -> Bool
    {
        switch lookup(name) {
        case nil: return value
        case .bool(let flag): return flag
        case .integer(let number): throw booleanProblem(name, String(number))
        case .string(let text):
            switch text.lowercased() {
            case "": return value
            case "true": return true
            case "false": return false
            default: throw booleanProblem(name, text.lowercased())
            }
        }
    }

    private static func booleanProblem(_ name: String, _ got: String) -> ConfigurationProblem {
        ConfigurationProblem(
            "env variable \(GoDuration.goQuote(name)) must have a boolean value (\"true\" or \"false\"), got \(GoDuration.goQuote(got))"
        )
    }

    /// A strictly positive Go duration; `nil` when unset or empty (and for an integer 0 from a file
    /// when `zeroMeansUnset`). Integers from a file are nanoseconds.
    static func duration(
        _ name: String, _ lookup: (String) -> ConfigValue?, zeroMeansUnset: Bool
    )
        throws(ConfigurationProblem)
        -> Duration?
    {
        let nanoseconds: Int64
        switch lookup(name) {
        case nil: return nil
        case .bool(let flag):
            throw ConfigurationProblem(
                "invalid: \(name): could not parse '\(flag)' into a duration: time: invalid duration \"\(flag)\""
            )
        case .integer(let number):
            if number == 0 && zeroMeansUnset { return nil }
            nanoseconds = number
        case .string(let text):
            if text.isEmpty { return nil }
            do {
                nanoseconds = try GoDuration.parse(text)
            } catch {
                throw ConfigurationProblem("invalid: \(name): could not parse '\(text)' into a duration: \(error)")
            }
        }
        if nanoseconds <= 0 { throw ConfigurationProblem("invalid: \(name): must be greater than 0") }
        return .nanoseconds(nanoseconds)
    }

    /// A decimal int (Go `strconv.Atoi`); empty means 0.
    static func integer(_ name: String, _ lookup: (String) -> ConfigValue?) throws(ConfigurationProblem) -> Int {
        switch lookup(name) {
        case nil: return 0
        case .integer(let number): return Int(number)
        case .bool(let flag): throw atoiProblem(name, String(flag), "invalid syntax")
        case .string(let text):
            if text.isEmpty { return 0 }
            var digits = Substring(text)
            if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw atoiProblem(name, text, "invalid syntax")
            }
            guard let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                throw atoiProblem(name, text, "value out of range")
            }
            return value
        }
    }

    private static func atoiProblem(_ name: String, _ text: String, _ reason: String) -> ConfigurationProblem {
        ConfigurationProblem(
            "\(name) could not be parsed to int: strconv.Atoi: parsing \(GoDuration.goQuote(text)): \(reason)"
        )
    }
}
