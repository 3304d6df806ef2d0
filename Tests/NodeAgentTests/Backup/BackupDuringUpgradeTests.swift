import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// A 1 GiB LevelDB-shaped data directory backed up by a real agent during a real upgrade on mockchaind,
/// changed by the new binary and by compaction, then restored byte for byte with `restore-backup`.
@Suite(.tags(.processes), .timeLimit(.minutes(10)))
struct BackupDuringUpgradeTests {
    /// `sha256sum` of every file under `data/`, sorted: what the custom pre-upgrade hook records right after
    /// the backup (node stopped, before the switch) and what the test compares after the restore.
    static let listing = "cd data && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum"

    @Test func oneGibibyteIsBackedUpDuringAnUpgradeAndRestoredByteForByte() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        // 512 tables of 2 MiB (1 GiB) in three databases, 4 MiB logs, manifests, cs.wal/, a link.
        let home = h.home
        try await runOffPool {
            try BackupTree.makeData(home + "/data", tables: 512, tableSize: 2 << 20, logSize: 4 << 20)
        }
        let atBackup = h.directory + "/at-backup.sha256"
        try h.installFile("cosmovisor/capture.sh", "#!/bin/sh\n\(Self.listing) > \(atBackup)\n")
        let backups = h.directory + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let environment = [
            "NODE_AGENT_RPC_URL": rpc, "UNSAFE_SKIP_BACKUP": "false", "DAEMON_DATA_BACKUP_DIR": backups,
            "COSMOVISOR_CUSTOM_PREUPGRADE": "capture.sh",
        ]
        let agent = try h.start(["start", "--home", h.home], environment: environment)
        try await eventually("v1 running", agent: agent) { h.blocks().count >= 3 }
        try h.propose("v2", at: h.blocks().last!.height + 15)
        try await eventually("v2 blocks", timeout: .seconds(120), agent: agent) {
            h.blocks().filter { $0.version == "v2" }.count >= 3
        }

        // One backup, for v2, recorded in the state file; on one file system the tables are not copied.
        let names = try FileManager.default.contentsOfDirectory(atPath: backups)
        #expect(names.count == 1 && names[0].hasPrefix("data-backup-v2-"), "\(names)")
        let backup = backups + "/" + (names.first ?? "")
        let last = try #require(h.state()?.lastBackup)
        #expect(last.path == backup && last.name == "v2")
        #expect(last.bytesLinked + last.bytesCopied > 1 << 30)
        #expect(last.method == "reflink" || last.bytesLinked >= 1000 << 20, "\(last)")
        #expect(agent.logLines.contains { $0.contains("INF backup completed") && $0.contains("bytes linked=") })

        // The node is stopped for the restore, which is refused while the agent holds the lock.
        let cli = ["DAEMON_HOME": h.home, "DAEMON_NAME": h.daemon, "DAEMON_DATA_BACKUP_DIR": backups]
        let refused = try await AgentCLI.run(["restore-backup", names[0]], environment: cli)
        #expect(refused.exitCode == 1)
        #expect(
            refused.errorOutput.contains("refusing to restore a backup while the node runs"), "\(refused.errorOutput)")
        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))

        // v2 appended blocks; now compaction stands in: logs appended, CURRENT and MANIFEST rewritten,
        // tables deleted and new ones written.
        let data = h.home + "/data"
        try BackupTree.append(data + "/application.db/000100.log", String(repeating: "record ", count: 1000))
        try "MANIFEST-000002\n".write(toFile: data + "/state.db/CURRENT", atomically: true, encoding: .utf8)
        try BackupTree.writeFile(data + "/state.db/MANIFEST-000001", size: 5000, seed: 42)
        for table in 5..<25 {
            try FileManager.default.removeItem(atPath: data + "/blockstore.db/" + String(format: "%06d.ldb", table))
        }
        try BackupTree.writeFile(data + "/blockstore.db/000900.ldb", size: 2 << 20, seed: 99)
        try BackupTree.append(data + "/cs.wal/wal", "wal entry")
        let changed = try await ProcessRunner.runAsync(["/bin/sh", "-c", Self.listing], directory: h.home)
        let captured = try String(contentsOfFile: atBackup, encoding: .utf8)
        #expect(changed.output != captured)

        let listed = try await AgentCLI.run(["backups"], environment: cli)
        #expect(listed.exitCode == 0 && listed.output.contains(names[0]), "\(listed.output)\(listed.errorOutput)")
        let restored = try await AgentCLI.run(["restore-backup", names[0]], environment: cli)
        #expect(restored.exitCode == 0, "\(restored.errorOutput)")
        #expect(restored.output.contains("restored \(backup) as \(data)"), "\(restored.output)")
        let after = try await ProcessRunner.runAsync(["/bin/sh", "-c", Self.listing], directory: h.home)
        #expect(after.exitCode == 0)
        #expect(after.output == captured, "the restored data is the data at backup time, file for file")
        #expect(captured.split(separator: "\n").count > 500)
        #expect(try AgentCLI.mode(data + "/priv_validator_state.json") == 0o600)
        let aside = try FileManager.default.contentsOfDirectory(atPath: h.home).filter {
            $0.hasPrefix("data.before-restore-")
        }
        #expect(aside.count == 1)
    }
}
