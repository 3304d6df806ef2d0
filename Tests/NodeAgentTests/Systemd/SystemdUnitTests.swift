import FleetTestSupport
import Testing

@testable import NodeAgent

/// The unit `systemd-unit` renders, and systemd.syntax(7) quoting (no processes).
@Suite(.tags(.pure))
struct SystemdUnitTests {
    @Test func theUnitForTheGuidesSettings() {
        var unit = SystemdUnit(
            executable: "/usr/local/bin/node-agent",
            home: "/home/val/.migalood",
            daemonName: "migalood",
            user: "val"
        )
        unit.environment = SystemdUnit.variables(in: [
            "DAEMON_NAME": "migalood", "DAEMON_HOME": "/home/val/.migalood", "DAEMON_RESTART_AFTER_UPGRADE": "true",
            "DAEMON_SHUTDOWN_GRACE": "15s", "COSMOVISOR_TIMEFORMAT_LOGS": "", "NODE_AGENT_LISTEN": "127.0.0.1:26680",
            "NODE_AGENT_TEST_CRASH_AT": "backup", "HOME": "/home/val", "PATH": "/usr/bin",
        ])
        unit.shutdownGrace = .seconds(15)
        #expect(
            unit.text == """
                [Unit]
                Description=cosmovisor (node-agent) for migalood
                After=network-online.target
                Wants=network-online.target

                [Service]
                User=val
                ExecStart=/usr/local/bin/node-agent run start --home /home/val/.migalood
                Type=notify
                NotifyAccess=main
                WatchdogSec=30s
                Restart=on-failure
                RestartSec=3
                KillMode=mixed
                TimeoutStopSec=45s
                LimitNOFILE=65535
                Environment="DAEMON_HOME=/home/val/.migalood"
                Environment="DAEMON_NAME=migalood"
                Environment="DAEMON_RESTART_AFTER_UPGRADE=true"
                Environment="DAEMON_SHUTDOWN_GRACE=15s"
                Environment="COSMOVISOR_TIMEFORMAT_LOGS="
                Environment="NODE_AGENT_LISTEN=127.0.0.1:26680"

                [Install]
                WantedBy=multi-user.target

                """
        )
    }

    @Test func timeoutsFollowTheGraceAndThePollInterval() {
        var unit = SystemdUnit(executable: "/a", home: "/h", daemonName: "d")
        #expect(unit.stopTimeoutSeconds == 30)
        #expect(unit.watchdogSeconds == 30)
        unit.shutdownGrace = .milliseconds(90_500)
        unit.pollInterval = .seconds(10)
        #expect(unit.stopTimeoutSeconds == 121)
        #expect(unit.watchdogSeconds == 40)
        unit.configFile = "/etc/cosmovisor/config.toml"
        #expect(
            unit.text.contains("ExecStart=/a run --cosmovisor-config /etc/cosmovisor/config.toml start --home /h\n"))
        #expect(!unit.text.contains("User="))
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("/my home/x", #""/my home/x""#),
        ("50%", "50%%"),
        ("$HOME", "$$HOME"),
        (#"a"b\c"#, #""a\"b\\c""#),
        ("it's", #""it's""#),
        (";", #"";""#),
        ("", #""""#),
        ("line\nbreak\u{1}", #""line\nbreak\x01""#),
    ])
    func commandWords(word: String, expected: String) {
        #expect(SystemdSyntax.commandWord(word) == expected)
    }

    @Test(arguments: [
        ("DAEMON_HOME", "/home/val/.gaia", #""DAEMON_HOME=/home/val/.gaia""#),
        ("DAEMON_HOME", "/my home", #""DAEMON_HOME=/my home""#),
        (
            "COSMOVISOR_CUSTOM_PREUPGRADE", #"pre "x" \ 100% $PATH"#,
            #""COSMOVISOR_CUSTOM_PREUPGRADE=pre \"x\" \\ 100%% $PATH""#
        ),
        ("COSMOVISOR_TIMEFORMAT_LOGS", "", #""COSMOVISOR_TIMEFORMAT_LOGS=""#),
    ])
    func environmentAssignments(name: String, value: String, expected: String) {
        #expect(SystemdSyntax.environmentAssignment(name, value) == expected)
    }
}
