import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// `node-agent systemd-unit` through the real binary, checked by `systemd-analyze verify`.
@Suite(.tags(.processes), .timeLimit(.minutes(1)))
struct SystemdUnitVerifyTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// Runs `systemd-analyze verify` on `unit` saved as `<folder>/cosmovisor.service`: its exit status and
    /// everything it printed (a warning is a failure too: verify exits 0 on most of them).
    static func verify(_ unit: String, in folder: String) async throws -> (Int32, String) {
        let units = folder + "/units"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        try unit.write(toFile: units + "/cosmovisor.service", atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.runAsync([analyze, "verify", units + "/cosmovisor.service"])
        return (result.exitCode, result.output + result.errorOutput)
    }

    @Test func theUnitForAHomeWithSpacesQuotesAndPercentPassesVerify() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.analyze),
            "\(Self.analyze) is missing: install the Debian package systemd (scripts/install-deps.sh)"
        )
        try await withTemporaryDirectory("fleet-test.unit") { folder in
            let home = folder + "/my home/50% \"node\""
            try FileManager.default.createDirectory(
                atPath: home + "/cosmovisor/genesis/bin", withIntermediateDirectories: true)
            let agent = TestPaths.product("node-agent")
            var environment = ["DAEMON_HOME": home]
            environment["DAEMON_NAME"] = "gaiad"
            environment["DAEMON_SHUTDOWN_GRACE"] = "1m30s"
            environment["UNSAFE_SKIP_BACKUP"] = "true"
            environment["COSMOVISOR_CUSTOM_PREUPGRADE"] = #"pre "x" \ 100%z $PATH"#
            environment["COSMOVISOR_TIMEFORMAT_LOGS"] = ""
            let result = try await ProcessRunner.runAsync(
                [agent, "systemd-unit", "--user", "root"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let unit = result.output
            for line in [
                "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Restart=on-failure", "KillMode=mixed",
                "TimeoutStopSec=120s", "LimitNOFILE=65535", "User=root",
                #"ExecStart=\#(agent) run start --home "\#(folder)/my home/50%% \"node\"""#,
                #"Environment="DAEMON_HOME=\#(folder)/my home/50%% \"node\"""#,
                #"Environment="COSMOVISOR_CUSTOM_PREUPGRADE=pre \"x\" \\ 100%%z $PATH""#,
                #"Environment="COSMOVISOR_TIMEFORMAT_LOGS=""#, #"Environment="UNSAFE_SKIP_BACKUP=true""#,
            ] {
                #expect(unit.split(separator: "\n").contains { $0 == line }, "missing \(line) in\n\(unit)")
            }
            let (status, output) = try await Self.verify(unit, in: folder)
            #expect(status == 0 && output.isEmpty, "systemd-analyze verify:\n\(output)\nunit:\n\(unit)")

            // The check can fail: an unescaped specifier is reported.
            let broken = unit.replacingOccurrences(of: "100%%z", with: "100%z")
            let (_, complaint) = try await Self.verify(broken, in: folder)
            #expect(complaint.contains("Failed to resolve specifiers"), "\(complaint)")
        }
    }

    @Test func aMissingOrInvalidSettingIsAnError() async throws {
        let agent = TestPaths.product("node-agent")
        let environment = ["DAEMON_NAME": "gaiad"]
        let result = try await ProcessRunner.runAsync([agent, "systemd-unit"], environment: environment)
        #expect(result.exitCode == 1)
        #expect(result.errorOutput.contains("DAEMON_HOME"), "\(result.errorOutput)")
        let relative = try await ProcessRunner.runAsync(
            [agent, "systemd-unit", "--exec", "bin/node-agent"], environment: environment)
        #expect(relative.exitCode == 1)
        #expect(
            relative.errorOutput.contains("--exec \"bin/node-agent\": must be an absolute path"),
            "\(relative.errorOutput)")
    }
}
