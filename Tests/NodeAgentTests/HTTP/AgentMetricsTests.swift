import FleetCore
import FleetTestSupport
import Testing

@testable import NodeAgent

@Suite(.tags(.files))
struct AgentMetricsTests {
    @Test("the last backup's duration and size (copied + linked bytes) are exported once a backup is recorded")
    func lastBackupMetrics() async throws {
        try await ConfigTestHome.with { home in
            let configuration = try AgentConfiguration.fromEnvironment(
                home.resolve(["DAEMON_HOME": "{home}", "DAEMON_NAME": "simd"]))
            var record = AgentRuntimeState(
                pid: 1, startedAt: "2026-12-01T00:00:00Z", version: "test", home: home.path, daemonName: "simd",
                updatedAt: "2026-12-01T00:00:00Z", child: .init(state: "running"))
            let before = AgentMetrics(configuration: configuration, view: .init(record: record), chainHeight: nil)
                .render()
            #expect(!before.contains("node_agent_last_backup"))

            record.lastBackup = .init(
                path: home.path + "/data-backup-v2-20261201T000000Z", name: "v2", seconds: 0.25,
                bytesCopied: 4096, bytesLinked: 1_048_576, method: "hardlink")
            let after = AgentMetrics(configuration: configuration, view: .init(record: record), chainHeight: nil)
                .render()
            #expect(after.contains("node_agent_last_backup_duration_seconds 0.25"))
            #expect(after.contains("node_agent_last_backup_size_bytes 1052672"))
        }
    }
}
