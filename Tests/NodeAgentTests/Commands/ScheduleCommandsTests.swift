import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The node side of `fleet schedule` and `fleet preflight`: `add-upgrade NAME --upgrade-height H` for a
/// staged binary, `remove-upgrade NAME`, and `backups --estimate --json`, run as the built binary.
@Suite(
    "add-upgrade for a staged binary, remove-upgrade, backups --estimate", .tags(.processes), .timeLimit(.minutes(1)))
struct ScheduleCommandsTests {
    static func environment(_ dir: String) -> [String: String] {
        AgentCLI.plainLogs.merging(["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd"]) { _, new in new }
    }

    static func prepare(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/home/data", withIntermediateDirectories: true)
        try AgentCLI.script(dir + "/v2", "echo v2")
        try AgentCLI.script(dir + "/v3", "echo v3")
    }

    @Test(
        "schedules only a staged binary, records who, is idempotent, refuses another pending plan; removal records who and keeps a plan the chain wrote"
    )
    func addAndRemove() async throws {
        try await withTemporaryDirectory { dir in
            try Self.prepare(dir)
            let env = Self.environment(dir)
            let info = dir + "/home/data/upgrade-info.json"
            let scheduleFile = dir + "/home/cosmovisor/.node-agent/manual-upgrades.json"
            let unstaged = try await AgentCLI.run(["add-upgrade", "v2", "--upgrade-height", "120"], environment: env)
            #expect(unstaged.exitCode == 1)
            #expect(
                unstaged.errorOutput.contains(
                    "no binary staged for upgrade v2 at \(dir)/home/cosmovisor/upgrades/v2/bin/appd"))
            #expect(
                !FileManager.default.fileExists(atPath: info) && !FileManager.default.fileExists(atPath: scheduleFile))

            for name in ["v2", "v3"] {
                let staged = try await AgentCLI.run(["add-upgrade", name, dir + "/" + name], environment: env)
                #expect(staged.exitCode == 0, "\(staged.errorOutput)")
            }
            let added = try await AgentCLI.run(
                ["add-upgrade", "V2", "--upgrade-height", "120", "--requested-by", "fleet schedule by alice@ops"],
                environment: env)
            #expect(added.exitCode == 0, "\(added.errorOutput)")
            #expect(
                try String(contentsOfFile: info, encoding: .utf8)
                    == #"{"name":"v2","time":"0001-01-01T00:00:00Z","height":120}"#)
            let entry = try ManualUpgradeSchedule.read(from: scheduleFile).entry(named: "v2")
            #expect(entry?.height == 120 && entry?.addedBy == "fleet schedule by alice@ops")

            let again = try await AgentCLI.run(["add-upgrade", "v2", "--upgrade-height", "120"], environment: env)
            #expect(again.exitCode == 0)
            #expect(again.output.contains("already scheduled at height 120"))
            let other = try await AgentCLI.run(["add-upgrade", "v3", "--upgrade-height", "130"], environment: env)
            #expect(other.exitCode == 1)
            #expect(other.errorOutput.contains(#"another plan is pending in \#(info): "v2" at height 120"#))
            #expect(try ManualUpgradeSchedule.read(from: scheduleFile).entry(named: "v3") == nil)

            let removed = try await AgentCLI.run(["remove-upgrade", "v2", "--requested-by", "bob"], environment: env)
            #expect(removed.exitCode == 0, "\(removed.errorOutput)")
            #expect(removed.output.hasSuffix("removed upgrade v2 at height 120 and its data/upgrade-info.json\n"))
            #expect(!FileManager.default.fileExists(atPath: info))
            let after = try ManualUpgradeSchedule.read(from: scheduleFile)
            #expect(after.upgrades.isEmpty)
            #expect(after.removed?.last?.name == "v2" && after.removed?.last?.removedBy == "bob")
            #expect(
                FileManager.default.fileExists(atPath: dir + "/home/cosmovisor/upgrades/v2/bin/appd"), "binary kept")
            let twice = try await AgentCLI.run(["remove-upgrade", "v2"], environment: env)
            #expect(twice.exitCode == 0)
            #expect(twice.output == "nothing scheduled for upgrade v2\n")

            // The upgrade current already runs is not scheduled again.
            let applied = dir + "/home/cosmovisor/upgrades/v3/upgrade-info.json"
            try Data(#"{"name":"v3","time":"0001-01-01T00:00:00Z","height":10}"#.utf8)
                .write(to: URL(fileURLWithPath: applied))
            try FileManager.default.createSymbolicLink(
                atPath: dir + "/home/cosmovisor/current", withDestinationPath: "upgrades/v3")
            let done = try await AgentCLI.run(["add-upgrade", "v3", "--upgrade-height", "500"], environment: env)
            #expect(done.exitCode == 1)
            #expect(done.errorOutput.contains("upgrade v3 is already applied: current runs it"))
            #expect(!FileManager.default.fileExists(atPath: info))

            // A plan the chain wrote (no schedule entry for it) is not ours to delete.
            let chainPlan = #"{"name":"v3","time":"0001-01-01T00:00:00Z","height":300}"#
            try chainPlan.write(toFile: info, atomically: true, encoding: .utf8)
            let kept = try await AgentCLI.run(["remove-upgrade", "v3"], environment: env)
            #expect(kept.exitCode == 0)
            #expect(try String(contentsOfFile: info, encoding: .utf8) == chainPlan)
        }
    }

    @Test("backups --estimate --json prices the backup as the backup planner does: table files shared, the rest copied")
    func estimate() async throws {
        try await withTemporaryDirectory { dir in
            try Self.prepare(dir)
            try Data(count: 10_000).write(to: URL(fileURLWithPath: dir + "/home/data/000001.log"))
            try Data(count: 20_000).write(to: URL(fileURLWithPath: dir + "/home/data/000002.ldb"))
            var env = Self.environment(dir)
            let result = try await AgentCLI.run(["backups", "--estimate", "--json"], environment: env)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let estimate = try BackupEstimate.decode(result.stdout)
            #expect(estimate.backupDir == dir + "/home")
            #expect(estimate.skipBackup == false)
            #expect(estimate.method == "hardlink")
            #expect(estimate.copiedBytes == 10_000 && estimate.sharedBytes == 20_000 && estimate.files == 2)
            // The copied file rounded up to 4 KiB blocks, plus the 1 MiB margin (and a block per directory).
            #expect(estimate.bytesNeeded >= 12_288 + (1 << 20) && estimate.bytesNeeded <= 12_288 + 4096 + (1 << 20))
            #expect((estimate.freeBytes ?? 0) > 0)
            env["UNSAFE_SKIP_BACKUP"] = "true"
            let skipped = try await AgentCLI.run(["backups", "--estimate", "--json"], environment: env)
            #expect(try BackupEstimate.decode(skipped.stdout).skipBackup)
        }
    }
}
