import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

@Suite("AgentConfiguration from the environment", .tags(.pure))
struct AgentConfigurationEnvironmentTests {
    /// One TestGetConfigFromEnv case: environment, then either the problem count (and texts) or checks.
    struct EnvCase: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String]
        var errorCount = 0
        var errorTexts: [String] = []
        var check: @Sendable (AgentConfiguration, String) -> Bool = { _, _ in true }
        var testDescription: String { name }
    }

    static let base = ["DAEMON_HOME": "{home}", "DAEMON_NAME": "testd"]

    static func with(
        _ name: String,
        _ extra: [String: String],
        errors: Int = 0,
        texts: [String] = [],
        check: @escaping @Sendable (AgentConfiguration, String) -> Bool = { _, _ in true }
    ) -> EnvCase {
        EnvCase(
            name: name,
            environment: base.merging(extra) { _, new in new },
            errorCount: errors,
            errorTexts: texts,
            check: check
        )
    }

    static let cases: [EnvCase] = [
        EnvCase(
            name: "nothing set",
            environment: [:],
            errorCount: 3,
            errorTexts: [
                "DAEMON_NAME is not set", "DAEMON_HOME is not set", "DAEMON_DATA_BACKUP_DIR must not be empty",
            ]
        ),
        EnvCase(
            name: "all bad",
            environment: [
                "DAEMON_HOME": "{home}", "DAEMON_NAME": "testd", "DAEMON_ALLOW_DOWNLOAD_BINARIES": "bad",
                "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM": "bad", "DAEMON_RESTART_AFTER_UPGRADE": "bad",
                "UNSAFE_SKIP_BACKUP": "bad", "DAEMON_DATA_BACKUP_DIR": "bad", "DAEMON_POLL_INTERVAL": "bad",
                "DAEMON_PREUPGRADE_MAX_RETRIES": "bad", "COSMOVISOR_DISABLE_LOGS": "bad",
                "COSMOVISOR_COLOR_LOGS": "bad",
                "COSMOVISOR_TIMEFORMAT_LOGS": "bad", "COSMOVISOR_DISABLE_RECASE": "bad", "DAEMON_RESTART_DELAY": "bad",
                "DAEMON_SHUTDOWN_GRACE": "bad",
            ],
            errorCount: 13,
            errorTexts: ["bad must be an absolute path"]
        ),
        with(
            "all good",
            [
                "DAEMON_ALLOW_DOWNLOAD_BINARIES": "TRUE", "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM": "True",
                "DAEMON_RESTART_AFTER_UPGRADE": "false", "UNSAFE_SKIP_BACKUP": "true",
                "DAEMON_DATA_BACKUP_DIR": "{home}/backups",
                "DAEMON_POLL_INTERVAL": "1s", "DAEMON_RESTART_DELAY": "1h30m", "DAEMON_SHUTDOWN_GRACE": "15s",
                "DAEMON_PREUPGRADE_MAX_RETRIES": "5", "COSMOVISOR_DISABLE_LOGS": "true",
                "COSMOVISOR_COLOR_LOGS": "false",
                "COSMOVISOR_TIMEFORMAT_LOGS": "rfc3339", "COSMOVISOR_CUSTOM_PREUPGRADE": "pre.sh",
                "COSMOVISOR_DISABLE_RECASE": "true",
                "DAEMON_GRPC_ADDRESS": "localhost:9091",
            ]
        ) { config, home in
            config.allowDownload && config.downloadMustHaveChecksum && !config.restartAfterUpgrade && config.skipBackup
                && config.backupDir == home + "/backups" && config.pollInterval == .seconds(1)
                && config.restartDelay == .seconds(5400) && config.shutdownGrace == .seconds(15)
                && config.preUpgradeMaxRetries == 5 && config.disableLogs && !config.colorLogs
                && config.timeFormat == .rfc3339
                && config.customPreUpgrade == "pre.sh" && config.disableRecase && config.grpcAddress == "localhost:9091"
        },
        with("defaults", [:]) { config, home in
            config == AgentConfiguration(home: home, name: "testd")
                && config.pollInterval == .milliseconds(300) && config.restartAfterUpgrade && config.colorLogs
                && config.timeFormat == .kitchen && config.grpcAddress == "localhost:9090" && config.backupDir == home
                && config.restartDelay == nil && config.shutdownGrace == nil
                && config.rpcURL == "http://127.0.0.1:26657"
        },
        with(
            "download bad",
            ["DAEMON_ALLOW_DOWNLOAD_BINARIES": "1"],
            errors: 1,
            texts: [
                #"env variable "DAEMON_ALLOW_DOWNLOAD_BINARIES" must have a boolean value ("true" or "false"), got "1""#
            ]
        ),
        with("download empty is the default", ["DAEMON_ALLOW_DOWNLOAD_BINARIES": ""]) { config, _ in
            !config.allowDownload
        },
        with("checksum bad", ["DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM": "yes"], errors: 1),
        with("restart bad", ["DAEMON_RESTART_AFTER_UPGRADE": "NO"], errors: 1, texts: [#"got "no""#]),
        with("restart false", ["DAEMON_RESTART_AFTER_UPGRADE": "FALSE"]) { config, _ in !config.restartAfterUpgrade },
        with("skip backup bad", ["UNSAFE_SKIP_BACKUP": "truee"], errors: 1),
        with(
            "skip backup true skips the backup dir check",
            ["UNSAFE_SKIP_BACKUP": "true", "DAEMON_DATA_BACKUP_DIR": "rel"]
        ) { config, _ in
            config.skipBackup && config.backupDir == "rel"
        },
        with(
            "backup dir relative",
            ["DAEMON_DATA_BACKUP_DIR": "rel/dir"],
            errors: 1,
            texts: ["rel/dir must be an absolute path"]
        ),
        with(
            "backup dir missing",
            ["DAEMON_DATA_BACKUP_DIR": "/nonexistent/backups"],
            errors: 1,
            texts: [
                #""/nonexistent/backups" must be a valid directory: stat /nonexistent/backups: no such file or directory"#
            ]
        ),
        with(
            "poll interval bad",
            ["DAEMON_POLL_INTERVAL": "bad"],
            errors: 1,
            texts: [
                #"invalid: DAEMON_POLL_INTERVAL: could not parse 'bad' into a duration: time: invalid duration "bad""#
            ]
        ),
        with(
            "poll interval 0",
            ["DAEMON_POLL_INTERVAL": "0"],
            errors: 1,
            texts: ["invalid: DAEMON_POLL_INTERVAL: must be greater than 0"]
        ),
        with(
            "poll interval 600",
            ["DAEMON_POLL_INTERVAL": "600"],
            errors: 1,
            texts: [#"time: missing unit in duration "600""#]
        ),
        with("poll interval -3m", ["DAEMON_POLL_INTERVAL": "-3m"], errors: 1, texts: ["must be greater than 0"]),
        with("poll interval 1s", ["DAEMON_POLL_INTERVAL": "1s"]) { config, _ in config.pollInterval == .seconds(1) },
        with("poll interval not set", ["DAEMON_POLL_INTERVAL": ""]) { config, _ in
            config.pollInterval == .milliseconds(300)
        },
        with("poll interval 1.5s", ["DAEMON_POLL_INTERVAL": "1.5s"]) { config, _ in
            config.pollInterval == .milliseconds(1500)
        },
        with("restart delay bad", ["DAEMON_RESTART_DELAY": "bad"], errors: 1),
        with("restart delay 0", ["DAEMON_RESTART_DELAY": "0"], errors: 1),
        with("restart delay 600", ["DAEMON_RESTART_DELAY": "600"], errors: 1),
        with("restart delay -3m", ["DAEMON_RESTART_DELAY": "-3m"], errors: 1),
        with("restart delay 1s", ["DAEMON_RESTART_DELAY": "1s"]) { config, _ in config.restartDelay == .seconds(1) },
        with("shutdown grace 15s", ["DAEMON_SHUTDOWN_GRACE": "15s"]) { config, _ in config.shutdownGrace == .seconds(15)
        },
        with("shutdown grace bad", ["DAEMON_SHUTDOWN_GRACE": "15 s"], errors: 1),
        with(
            "retries bad",
            ["DAEMON_PREUPGRADE_MAX_RETRIES": "bad"],
            errors: 1,
            texts: [
                #"DAEMON_PREUPGRADE_MAX_RETRIES could not be parsed to int: strconv.Atoi: parsing "bad": invalid syntax"#
            ]
        ),
        with("retries empty is 0", ["DAEMON_PREUPGRADE_MAX_RETRIES": ""]) { config, _ in
            config.preUpgradeMaxRetries == 0
        },
        with("retries 5", ["DAEMON_PREUPGRADE_MAX_RETRIES": "5"]) { config, _ in config.preUpgradeMaxRetries == 5 },
        with("retries negative accepted", ["DAEMON_PREUPGRADE_MAX_RETRIES": "-1"]) { config, _ in
            config.preUpgradeMaxRetries == -1
        },
        with("grpc default", ["DAEMON_GRPC_ADDRESS": ""]) { config, _ in config.grpcAddress == "localhost:9090" },
        with("disable logs bad", ["COSMOVISOR_DISABLE_LOGS": "bad"], errors: 1),
        with("disable logs good", ["COSMOVISOR_DISABLE_LOGS": "true"]) { config, _ in config.disableLogs },
        with("color logs bad", ["COSMOVISOR_COLOR_LOGS": "off"], errors: 1),
        with("time format empty means none", ["COSMOVISOR_TIMEFORMAT_LOGS": ""]) { config, _ in config.timeFormat == nil
        },
        with(
            "time format bad",
            ["COSMOVISOR_TIMEFORMAT_LOGS": "Kitchen"],
            errors: 1,
            texts: [
                #"env variable "COSMOVISOR_TIMEFORMAT_LOGS" must have a timeformat value ("layout|ansic|unixdate|rubydate|rfc822|rfc822z|rfc850|rfc1123|rfc1123z|rfc3339|rfc3339nano|kitchen"), got "Kitchen""#
            ]
        ),
        with("recase bad", ["COSMOVISOR_DISABLE_RECASE": "bad"], errors: 1),
        with(
            "home relative",
            ["DAEMON_HOME": "rel/home"],
            errors: 2,
            texts: ["DAEMON_HOME must be an absolute path", "rel/home must be an absolute path"]
        ),
        with(
            "home without cosmovisor",
            ["DAEMON_HOME": "{home}/backups"],
            errors: 1,
            texts: ["cannot stat home dir: stat "]
        ),
        with("rpc url", ["NODE_AGENT_RPC": "http://10.0.0.1:26657/"]) { config, _ in
            config.rpcURL == "http://10.0.0.1:26657"
        },
        with(
            "rpc url bad",
            ["NODE_AGENT_RPC": "tcp://10.0.0.1:26657"],
            errors: 1,
            texts: ["NODE_AGENT_RPC must be an http:// or https:// URL"]
        ),
        with("state file", ["NODE_AGENT_STATE_FILE": "/run/agent.json"]) { config, _ in
            config.effectiveStateFile == "/run/agent.json"
        },
        with("state file relative", ["NODE_AGENT_STATE_FILE": "agent.json"], errors: 1),
        with("rpc url override", ["NODE_AGENT_RPC": "http://10.0.0.1:1", "NODE_AGENT_RPC_URL": "http://10.0.0.2:2/"]) {
            config, _ in config.rpcURL == "http://10.0.0.2:2"
        },
        with(
            "rpc url override bad",
            ["NODE_AGENT_RPC_URL": "10.0.0.2:26657"],
            errors: 1,
            texts: ["NODE_AGENT_RPC_URL must be an http:// or https:// URL"]
        ),
        with("inotify off", ["NODE_AGENT_DISABLE_INOTIFY": "1"]) { config, _ in config.disableInotify },
        with(
            "inotify bad",
            ["NODE_AGENT_DISABLE_INOTIFY": "yes"],
            errors: 1,
            texts: ["NODE_AGENT_DISABLE_INOTIFY must be"]
        ),
        with("startup pages kept", ["NODE_AGENT_KEEP_STARTUP_PAGES": "TRUE"]) { config, _ in
            config.keepStartupPages && config.startupPageReleaseDelay == nil
        },
        with("startup pages bad", ["NODE_AGENT_KEEP_STARTUP_PAGES": "2"], errors: 1),
        with("legacy variables are ignored", ["DAEMON_LOG_BUFFER_SIZE": "512"]) { config, home in
            config == AgentConfiguration(home: home, name: "testd")
        },
    ]

    @Test("TestGetConfigFromEnv", arguments: cases)
    func getConfigFromEnv(_ testCase: EnvCase) async throws {
        try await ConfigTestHome.with { home in
            let environment = home.resolve(testCase.environment)
            if testCase.errorCount == 0 {
                let config = try AgentConfiguration.fromEnvironment(environment)
                #expect(testCase.check(config, home.path))
            } else {
                let error = #expect(throws: AgentError.self) {
                    try AgentConfiguration.fromEnvironment(environment)
                }
                #expect(error?.problems.count == testCase.errorCount, "\(String(describing: error))")
                for text in testCase.errorTexts {
                    #expect(
                        error?.description.contains(home.resolve(["k": text])["k"]!) == true,
                        "\(text) in \(String(describing: error))"
                    )
                }
            }
        }
    }

    @Test("problems come in cosmovisor's order and join with newlines")
    func errorOrder() throws {
        let environment = [
            "DAEMON_SHUTDOWN_GRACE": "x", "DAEMON_ALLOW_DOWNLOAD_BINARIES": "x", "COSMOVISOR_DISABLE_RECASE": "x",
            "COSMOVISOR_TIMEFORMAT_LOGS": "x", "DAEMON_POLL_INTERVAL": "x", "DAEMON_PREUPGRADE_MAX_RETRIES": "x",
        ]
        let error = #expect(throws: AgentError.self) { try AgentConfiguration.fromEnvironment(environment) }
        let lines = error?.description.split(separator: "\n").map(String.init) ?? []
        let markers = [
            "DAEMON_ALLOW_DOWNLOAD_BINARIES", "COSMOVISOR_TIMEFORMAT_LOGS", "COSMOVISOR_DISABLE_RECASE",
            "DAEMON_POLL_INTERVAL",
            "DAEMON_SHUTDOWN_GRACE", "DAEMON_PREUPGRADE_MAX_RETRIES", "DAEMON_NAME is not set",
            "DAEMON_HOME is not set",
            "DAEMON_DATA_BACKUP_DIR must not be empty",
        ]
        #expect(lines.count == markers.count)
        for (line, marker) in zip(lines, markers) { #expect(line.contains(marker), "\(line)") }
    }

    /// Upstream TestBooleanOption.
    @Test(
        "TestBooleanOption",
        arguments: [
            (nil, false, false, nil), (nil, true, true, nil), ("", true, true, nil), ("true", false, true, nil),
            ("TRUE", false, true, nil), ("tRuE", false, true, nil), ("false", true, false, nil),
            ("FALSE", true, false, nil),
            ("wrong", false, false, "wrong"), ("truee", true, false, "truee"),
        ] as [(String?, Bool, Bool, String?)]
    )
    func booleanOption(value: String?, fallback: Bool, expected: Bool, bad: String?) throws {
        let lookup: (String) -> ConfigValue? = { _ in value.map(ConfigValue.string) }
        if let bad {
            let error = #expect(throws: ConfigurationProblem.self) {
                try AgentConfiguration.boolean("FLAG", lookup, default: fallback)
            }
            #expect(
                error?.description
                    == #"env variable "FLAG" must have a boolean value ("true" or "false"), got "\#(bad)""#
            )
        } else {
            #expect(try AgentConfiguration.boolean("FLAG", lookup, default: fallback) == expected)
        }
    }

    /// Upstream TestTimeFormat: unset → kitchen, empty → none, each option name, wrong → error.
    @Test("TestTimeFormat", arguments: [nil, ""] + LogTimeFormat.allCases.map(\.rawValue) + ["wrong", "RFC3339"])
    func timeFormat(value: String?) throws {
        var environment = ["DAEMON_HOME": "/h", "DAEMON_NAME": "d"]
        environment["COSMOVISOR_TIMEFORMAT_LOGS"] = value
        let (config, problems) = AgentConfiguration.parse { environment[$0].map(ConfigValue.string) }
        switch value {
        case nil: #expect(config.timeFormat == .kitchen && problems.isEmpty)
        case "": #expect(config.timeFormat == nil && problems.isEmpty)
        case "wrong", "RFC3339": #expect(problems.count == 1)
        case let name?: #expect(config.timeFormat?.rawValue == name && problems.isEmpty)
        }
    }

    @Test("the Go layouts of the named formats")
    func layouts() {
        #expect(LogTimeFormat.kitchen.goLayout == "3:04PM")
        #expect(LogTimeFormat.rfc3339.goLayout == "2006-01-02T15:04:05Z07:00")
        #expect(LogTimeFormat.allCases.count == 12)
    }
}
