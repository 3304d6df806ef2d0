import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

@Suite("AgentConfiguration from config.toml", .tags(.files))
struct AgentConfigurationFileTests {
    static func write(_ text: String, in home: ConfigTestHome) throws -> String {
        let path = home.path + "/cosmovisor/config.toml"
        try Data(home.resolve(["t": text])["t"]!.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let validFile = """
        # written by hand
        daemon_home = '{home}'
        daemon_name = "cosmovisor"
        daemon_allow_download_binaries = true
        daemon_restart_after_upgrade = true
        daemon_restart_delay = 0
        daemon_shutdown_grace = "2s"
        daemon_poll_interval = 300000000   # nanoseconds, as cosmovisor writes them
        unsafe_skip_backup = false
        daemon_data_backup_dir = "{home}/backups"
        daemon_preupgrade_max_retries = 3
        cosmovisor_timeformat_logs = "rfc3339"
        cosmovisor_custom_preupgrade = ""
        """

    /// Upstream TestConfigFromFile: a valid file, an env var overriding a file value, an empty path.
    @Test("TestConfigFromFile: valid file")
    func validFile() async throws {
        try await ConfigTestHome.with { home in
            let path = try Self.write(Self.validFile, in: home)
            let config = try AgentConfiguration.fromFile(path, environment: [:])
            var expected = AgentConfiguration(home: home.path, name: "cosmovisor", backupDir: home.path + "/backups")
            expected.allowDownload = true
            expected.shutdownGrace = .seconds(2)
            expected.preUpgradeMaxRetries = 3
            expected.timeFormat = .rfc3339
            #expect(config == expected)
        }
    }

    @Test("TestConfigFromFile: an environment variable overrides the file value")
    func environmentOverrides() async throws {
        try await ConfigTestHome.with { home in
            let path = try Self.write(Self.validFile, in: home)
            let config = try AgentConfiguration.fromFile(
                path,
                environment: ["DAEMON_NAME": "overridden", "DAEMON_POLL_INTERVAL": "1s", "DAEMON_SHUTDOWN_GRACE": ""]
            )
            #expect(config.name == "overridden")
            #expect(config.pollInterval == .seconds(1))
            #expect(config.shutdownGrace == .seconds(2))
        }
    }

    @Test("TestConfigFromFile: an empty path falls back to the environment")
    func emptyPath() async throws {
        try await ConfigTestHome.with { home in
            let config = try AgentConfiguration.fromFile(
                "",
                environment: ["DAEMON_HOME": home.path, "DAEMON_NAME": "envd"]
            )
            #expect(config.name == "envd")
        }
    }

    @Test("keys missing from the file take the documented defaults (cosmovisor would use zero values)")
    func missingKeysTakeDefaults() async throws {
        try await ConfigTestHome.with { home in
            let path = try Self.write("daemon_home = \"{home}\"\ndaemon_name = \"d\"\n", in: home)
            let config = try AgentConfiguration.fromFile(path, environment: [:])
            #expect(config == AgentConfiguration(home: home.path, name: "d"))
            #expect(
                config.pollInterval == .milliseconds(300) && config.restartAfterUpgrade
                    && config.grpcAddress == "localhost:9090"
            )
        }
    }

    @Test(
        "bad file values are all reported",
        arguments: [
            ("daemon_poll_interval = 0", "invalid: DAEMON_POLL_INTERVAL: must be greater than 0"),
            ("daemon_poll_interval = \"fast\"", "could not parse 'fast' into a duration"),
            ("unsafe_skip_backup = 1", #"must have a boolean value ("true" or "false"), got "1""#),
            ("cosmovisor_timeformat_logs = \"iso\"", "must have a timeformat value"),
        ]
    )
    func badValues(line: String, message: String) async throws {
        try await ConfigTestHome.with { home in
            let path = try Self.write("daemon_home = \"{home}\"\ndaemon_name = \"d\"\n" + line + "\n", in: home)
            let error = #expect(throws: AgentError.self) {
                try AgentConfiguration.fromFile(path, environment: [:])
            }
            #expect(error?.problems.count == 1)
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test("a missing file and a syntax error")
    func unreadable() async throws {
        try await ConfigTestHome.with { home in
            let missing = #expect(throws: AgentError.self) {
                try AgentConfiguration.fromFile(home.path + "/nope.toml", environment: [:])
            }
            #expect(
                missing?.description
                    == "config not found: at \(home.path)/nope.toml : stat \(home.path)/nope.toml: no such file or directory"
            )
            let path = try Self.write("daemon_home = \"unterminated\n", in: home)
            let syntax = #expect(throws: AgentError.self) {
                try AgentConfiguration.fromFile(path, environment: [:])
            }
            #expect(syntax?.description == "failed to read config file: toml: line 1: unterminated string")
        }
    }

    @Test("what init writes reads back to the same configuration")
    func roundTrip() async throws {
        try await ConfigTestHome.with { home in
            var config = AgentConfiguration(home: home.path, name: "we\"ird", backupDir: home.path + "/backups")
            config.restartDelay = .seconds(5)
            config.pollInterval = .milliseconds(150)
            config.timeFormat = nil
            config.colorLogs = false
            config.customPreUpgrade = "scripts/pre upgrade.sh"
            config.rpcURL = "http://127.0.0.1:36657"
            config.stateFile = "/run/state.json"
            let path = try Self.write(config.tomlDocument.text, in: home)
            #expect(try AgentConfiguration.fromFile(path, environment: [:]) == config)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let keys = text.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
            #expect(keys == AgentConfiguration.fileKeys)
            #expect(text.contains("daemon_poll_interval = 150000000\n"))
            #expect(text.contains("cosmovisor_timeformat_logs = \"\"\n"))
        }
    }

    @Test("the HTTP listener init was given is written, so run --cosmovisor-config serves it without the variable")
    func listenRoundTrip() async throws {
        try await ConfigTestHome.with { home in
            var config = AgentConfiguration(home: home.path, name: "d")
            config.listen = try ListenAddress.parse("[::1]:26680")
            let path = try Self.write(config.tomlDocument.text, in: home)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(
                text.hasSuffix("node_agent_rpc = \"http://127.0.0.1:26657\"\nnode_agent_listen = \"[::1]:26680\"\n"))
            #expect(try AgentConfiguration.fromFile(path, environment: [:]) == config)
        }
    }
}
