import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// The backup planner: per-entry decisions, byte totals and the space refusal, without touching a disk.
@Suite(.tags(.pure))
struct BackupPlanTests {
    static func file(_ path: String, _ size: Int64 = 100, mode: mode_t = 0o644) -> BackupEntry {
        BackupEntry(path: path, kind: .file, size: size, mode: mode)
    }

    static let tree: [BackupEntry] = [
        BackupEntry(path: "application.db", kind: .directory, size: 0, mode: 0o755),
        file("application.db/000005.ldb", 2 << 20),
        file("application.db/000006.sst", 1 << 20),
        file("application.db/000007.log", 5000),
        file("application.db/MANIFEST-000001", 300),
        file("application.db/CURRENT", 16),
        file("application.db/LOCK", 0),
        BackupEntry(path: "cs.wal", kind: .directory, size: 0, mode: 0o700),
        file("cs.wal/wal", 4096),
        file("priv_validator_state.json", 50, mode: 0o600),
        file("notes.ldb.bak", 10),
        BackupEntry(path: "snapshots", kind: .symlink(target: "/srv/snapshots"), size: 0, mode: 0o777),
        BackupEntry(path: "node.sock", kind: .special, size: 0, mode: 0o755),
    ]

    @Test(arguments: [
        // path, hardlink mode, reflink mode, copy mode
        ("application.db", BackupPlan.Action.directory, BackupPlan.Action.directory, BackupPlan.Action.directory),
        ("application.db/000005.ldb", .share, .share, .copy),
        ("application.db/000006.sst", .share, .share, .copy),
        ("application.db/000007.log", .copy, .share, .copy),
        ("application.db/MANIFEST-000001", .copy, .share, .copy),
        ("application.db/CURRENT", .copy, .share, .copy),
        ("application.db/LOCK", .copy, .share, .copy),
        ("cs.wal/wal", .copy, .share, .copy),
        ("priv_validator_state.json", .copy, .share, .copy),
        ("notes.ldb.bak", .copy, .share, .copy),
        ("snapshots", .symlink, .symlink, .symlink),
        ("node.sock", .skip, .skip, .skip),
    ])
    func decisions(
        path: String, hardLink: BackupPlan.Action, reflink: BackupPlan.Action, copy: BackupPlan.Action
    ) throws {
        for (method, expected) in [(BackupPlan.Method.hardLink, hardLink), (.reflink, reflink), (.copy, copy)] {
            let plan = BackupPlan(Self.tree, method: method)
            let item = try #require(plan.items.first { $0.entry.path == path })
            #expect(item.action == expected, "\(path) in \(method) mode")
        }
    }

    @Test func totals() {
        let all = Self.tree.reduce(Int64(0)) { $0 + $1.size }
        let tables: Int64 = (2 << 20) + (1 << 20)
        let hardLink = BackupPlan(Self.tree, method: .hardLink)
        #expect(hardLink.sharedBytes == tables)
        #expect(hardLink.copiedBytes == all - tables)
        #expect(hardLink.fileCount == 9)
        // Copied files round up to 4 KiB (7 non-empty files; LOCK is empty), two directories, the margin.
        #expect(hardLink.bytesNeeded == BackupPlan.margin + 2 * 4096 + (2 * 4096) + 5 * 4096)
        let reflink = BackupPlan(Self.tree, method: .reflink)
        #expect(reflink.sharedBytes == all && reflink.copiedBytes == 0)
        #expect(reflink.bytesNeeded == BackupPlan.margin + 2 * 4096)
        let copy = BackupPlan(Self.tree, method: .copy)
        #expect(copy.sharedBytes == 0 && copy.copiedBytes == all)
        #expect(copy.bytesNeeded > all)
    }

    @Test func orderIsKept() {
        let plan = BackupPlan(Self.tree, method: .hardLink)
        #expect(plan.items.map(\.entry.path) == Self.tree.map(\.path))
    }

    @Test func spaceRefusal() throws {
        let plan = BackupPlan(Self.tree, method: .hardLink)
        #expect(plan.refusal(freeBytes: plan.bytesNeeded, in: "/backups") == nil)
        let refusal = try #require(plan.refusal(freeBytes: plan.bytesNeeded - 1, in: "/backups"))
        #expect(
            refusal
                == "not enough free space for the data backup in /backups: \(plan.bytesNeeded) bytes needed "
                + "(\(plan.copiedBytes) bytes to copy in 7 files, hardlink mode), \(plan.bytesNeeded - 1) bytes free"
        )
        // A clone needs no room for the data: the same tree fits where the copy does not.
        #expect(BackupPlan(Self.tree, method: .reflink).refusal(freeBytes: 2 << 20, in: "/b") == nil)
        #expect(BackupPlan(Self.tree, method: .copy).refusal(freeBytes: 2 << 20, in: "/b") != nil)
    }

    @Test func names() {
        let date = Date(timeIntervalSince1970: 1_796_115_305)  // 2026-12-01T08:55:05Z
        #expect(DataBackup.name(upgrade: "v2", at: date) == "data-backup-v2-20261201T085505Z")
        #expect(DataBackup.name(upgrade: "..%2Fx", at: date) == "data-backup-..%2Fx-20261201T085505Z")
    }
}
