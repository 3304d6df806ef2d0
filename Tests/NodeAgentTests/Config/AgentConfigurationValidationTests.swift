import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

@Suite("AgentConfiguration validation and detail string", .tags(.files))
struct AgentConfigurationValidationTests {
    /// One TestValidate case; paths use `{home}`.
    struct ValidateCase: Sendable, CustomTestStringConvertible {
        var name: String
        var home: String
        var daemon: String = "testd"
        var backup: String = "{home}"
        var skipBackup = false
        var errors: [String] = []
        var testDescription: String { name }
    }

    /// Upstream TestValidate: 14 cases.
    static let cases: [ValidateCase] = [
        ValidateCase(name: "valid", home: "{home}"),
        ValidateCase(name: "valid with other backup dir", home: "{home}", backup: "{home}/backups"),
        ValidateCase(name: "valid, skip backup with empty backup dir", home: "{home}", backup: "", skipBackup: true),
        ValidateCase(
            name: "valid, skip backup with relative backup dir",
            home: "{home}",
            backup: "rel",
            skipBackup: true
        ),
        ValidateCase(
            name: "valid, skip backup with missing backup dir",
            home: "{home}",
            backup: "/nonexistent",
            skipBackup: true
        ),
        ValidateCase(name: "missing home", home: "", backup: "{home}", errors: ["DAEMON_HOME is not set"]),
        ValidateCase(name: "missing name", home: "{home}", daemon: "", errors: ["DAEMON_NAME is not set"]),
        ValidateCase(
            name: "missing both",
            home: "",
            daemon: "",
            backup: "{home}",
            errors: ["DAEMON_NAME is not set", "DAEMON_HOME is not set"]
        ),
        ValidateCase(
            name: "relative home",
            home: "rel/home",
            backup: "{home}",
            errors: ["DAEMON_HOME must be an absolute path"]
        ),
        ValidateCase(
            name: "no cosmovisor subdirectory",
            home: "{home}/backups",
            backup: "{home}",
            errors: ["cannot stat home dir: stat {home}/backups/cosmovisor: no such file or directory"]
        ),
        ValidateCase(
            name: "cosmovisor is a file",
            home: "{home}/filehome",
            backup: "{home}",
            errors: ["{home}/filehome/cosmovisor is not a directory"]
        ),
        ValidateCase(
            name: "empty backup dir",
            home: "{home}",
            backup: "",
            errors: ["DAEMON_DATA_BACKUP_DIR must not be empty"]
        ),
        ValidateCase(
            name: "relative backup dir",
            home: "{home}",
            backup: "rel",
            errors: ["rel must be an absolute path"]
        ),
        ValidateCase(
            name: "missing backup dir",
            home: "{home}",
            backup: "/nonexistent",
            errors: [#""/nonexistent" must be a valid directory: stat /nonexistent: no such file or directory"#]
        ),
    ]

    @Test("TestValidate", arguments: cases)
    func validate(_ testCase: ValidateCase) async throws {
        try await ConfigTestHome.with { home in
            try FileManager.default.createDirectory(atPath: home.path + "/filehome", withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: home.path + "/filehome/cosmovisor"))
            let resolved = home.resolve(["home": testCase.home, "backup": testCase.backup])
            var config = AgentConfiguration(
                home: resolved["home"]!,
                name: testCase.daemon,
                backupDir: resolved["backup"]!
            )
            config.skipBackup = testCase.skipBackup
            let expected = testCase.errors.map { home.resolve(["k": $0])["k"]! }
            #expect(config.validationProblems().map(\.description) == expected)
        }
    }

    @Test("a backup dir that is a file is refused")
    func backupDirIsFile() async throws {
        try await ConfigTestHome.with { home in
            try Data().write(to: URL(fileURLWithPath: home.path + "/file"))
            let config = AgentConfiguration(home: home.path, name: "d", backupDir: home.path + "/file")
            #expect(
                config.validationProblems().map(\.description) == ["\"\(home.path)/file\" must be a valid directory"]
            )
        }
    }

    /// Upstream TestDetailString, with the exact §7.2 block.
    @Test("TestDetailString")
    func detailString() {
        var config = AgentConfiguration(home: "/foo", name: "myd", backupDir: "/bak")
        config.allowDownload = true
        config.pollInterval = .seconds(450)
        config.shutdownGrace = .milliseconds(1500)
        config.preUpgradeMaxRetries = 10_000_000
        config.customPreUpgrade = "pre.sh"
        #expect(
            config.detailString == """
                Configurable Values:
                  DAEMON_HOME: /foo
                  DAEMON_NAME: myd
                  DAEMON_ALLOW_DOWNLOAD_BINARIES: true
                  DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM: false
                  DAEMON_RESTART_AFTER_UPGRADE: true
                  DAEMON_RESTART_DELAY: 0s
                  DAEMON_SHUTDOWN_GRACE: 1.5s
                  DAEMON_POLL_INTERVAL: 7m30s
                  UNSAFE_SKIP_BACKUP: false
                  DAEMON_DATA_BACKUP_DIR: /bak
                  DAEMON_PREUPGRADE_MAX_RETRIES: 10000000
                  COSMOVISOR_DISABLE_LOGS: false
                  COSMOVISOR_COLOR_LOGS: true
                  COSMOVISOR_TIMEFORMAT_LOGS: 3:04PM
                  COSMOVISOR_CUSTOM_PREUPGRADE: pre.sh
                  COSMOVISOR_DISABLE_RECASE: false
                Derived Values:
                         Root Dir: /foo/cosmovisor
                      Upgrade Dir: /foo/cosmovisor/upgrades
                      Genesis Bin: /foo/cosmovisor/genesis/bin/myd
                   Monitored File: /foo/data/upgrade-info.json
                  Data Backup Dir: /bak

                """
        )
    }

    @Test("settings carry every cosmovisor key plus the agent's own")
    func settings() {
        let config = AgentConfiguration(home: "/foo", name: "myd")
        #expect(Set(config.settings.keys) == Set(AgentConfiguration.fileKeys))
        #expect(config.settings["daemon_poll_interval"] == "300ms")
        #expect(config.settings["node_agent_state_file"] == "/foo/cosmovisor/.node-agent/state.json")
    }
}
