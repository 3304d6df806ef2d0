import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("AgentRuntimeState and ManualUpgradeSchedule", .tags(.files))
struct AgentFilesTests {
    @Test("the state file round-trips with snake_case keys and is nil when missing")
    func stateRoundTrip() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/cosmovisor/.node-agent/state.json"
            #expect(try AgentRuntimeState.read(from: path) == nil)
            try FileManager.default.createDirectory(atPath: dir + "/cosmovisor", withIntermediateDirectories: true)
            let state = AgentRuntimeState(
                pid: 42,
                startedAt: "2026-01-01T10:00:00Z",
                version: "0.1.0",
                home: dir,
                daemonName: "simd",
                updatedAt: "2026-01-01T10:00:01Z",
                child: .init(
                    pid: 43,
                    startedAt: "2026-01-01T10:00:00Z",
                    starts: 2,
                    upgradesApplied: ["v2"],
                    state: "running"
                ),
                settings: ["daemon_poll_interval": "300ms"]
            )
            try state.write(to: path)
            #expect(try AgentRuntimeState.read(from: path) == state)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("\"upgrades_applied\":[\"v2\"]"))
            #expect(text.contains("\"started_at\""))
            try Data("{".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: NodeFileError.self) { try AgentRuntimeState.read(from: path) }
            #expect(error?.code == .decode)
        }
    }

    @Test("the schedule keeps one entry per name, sorted by height, and picks the next halt height")
    func schedule() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/.node-agent/manual-upgrades.json"
            var schedule = try ManualUpgradeSchedule.read(from: path)
            #expect(schedule.upgrades.isEmpty)
            schedule.upsert(.init(name: "v3", height: 300, addedAt: "t"))
            schedule.upsert(.init(name: "v2", height: 200, addedAt: "t"))
            schedule.upsert(.init(name: "v3", height: 250, addedAt: "t2"))
            #expect(schedule.upgrades.map(\.name) == ["v2", "v3"])
            #expect(schedule.nextHaltHeight(above: nil) == 200)
            #expect(schedule.nextHaltHeight(above: 200) == 250)
            #expect(schedule.nextHaltHeight(above: 250) == nil)
            try schedule.write(to: path)
            var reread = try ManualUpgradeSchedule.read(from: path)
            #expect(reread == schedule)
            let removed = reread.remove(named: "v2")
            let removedAgain = reread.remove(named: "v2")
            #expect(removed)
            #expect(!removedAgain)
            #expect(reread.entry(named: "v3")?.height == 250)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"added_at\""))
        }
    }
}
