import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The backup and restore executors on real files: what lands where, how, and what never happens
/// (a half backup under a final name, a restore while the node runs, a signing state going back).
@Suite(.tags(.files))
struct DataBackupTests {
    static func inode(_ path: String) -> ino_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_ino : 0
    }

    @Test func backupLinksTablesCopiesTheRestAndKeepsModesAndLinks() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let data = dir + "/home/data"
            try BackupTree.makeData(data, tables: 6, tableSize: 64 << 10)
            let before = try BackupTree.snapshot(data)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            let date = Date(timeIntervalSince1970: 1_796_115_305)
            let result = try DataBackup(dataDirectory: data, backupDirectory: backups).take(
                upgrade: "v2", height: 1200, at: date)

            #expect(result.name == "data-backup-v2-20261201T085505Z")
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups) == [result.name])
            #expect(BackupTree.differences(before, try BackupTree.snapshot(result.path)) == [])
            let manifest = try #require(BackupManifest.read(backup: result.path))
            #expect(manifest.upgrade == "v2" && manifest.height == 1200 && manifest.method == result.method)
            let how = Dictionary(uniqueKeysWithValues: manifest.entries.map { ($0.path, $0) })
            let table = "application.db/000005.ldb"
            switch result.method {
            case .hardLink:
                #expect(Self.inode(result.path + "/" + table) == Self.inode(data + "/" + table))
                #expect(how[table]?.how == .linked)
                #expect(result.bytesShared == 6 * (64 << 10))
            case .reflink:
                #expect(how[table]?.how == .reflinked)
            case .copy:
                Issue.record("the backup directory is on the data's file system: \(result)")
            }
            for mutable in [
                "application.db/000100.log", "application.db/CURRENT", "cs.wal/wal", "priv_validator_state.json",
            ] {
                #expect(Self.inode(result.path + "/" + mutable) != Self.inode(data + "/" + mutable), "\(mutable)")
            }
            if result.method == .hardLink {
                let state = try #require(how["priv_validator_state.json"])
                #expect(state.how == .copied && state.mode == "600")
                #expect(state.sha256 == (try FileDigest.hex(.sha256, ofFile: data + "/priv_validator_state.json")))
                #expect(how["cs.wal/wal"]?.sha256 != nil, "1 MiB is a small state file")
                #expect(result.bytesCopied == manifest.entries.filter { $0.how == .copied }.reduce(0) { $0 + $1.size })
            }
            #expect(how["genesis-link"]?.how == .symlink && how["genesis-link"]?.target == "../config/genesis.json")

            // A second upgrade gets its own directory, never merged.
            let second = try DataBackup(dataDirectory: data, backupDirectory: backups).take(
                upgrade: "v3", height: 1300, at: date)
            #expect(second.path != result.path)
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups).count == 2)
        }
    }

    @Test func refusesWhenTheDiskCannotHoldTheCopiedPart() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let data = dir + "/data"
            try BackupTree.makeData(data, tables: 3, tableSize: 64 << 10)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            var backup = DataBackup(dataDirectory: data, backupDirectory: backups)
            backup.freeBytes = { _ in 1 << 20 }
            #expect {
                try backup.take(upgrade: "v2", height: 10)
            } throws: { error in
                let message = "\(error)"
                return message.hasPrefix("not enough free space for the data backup in \(backups): ")
                    && message.hasSuffix(", \(1 << 20) bytes free")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups) == [], "nothing half-made is left")
        }
    }

    @Test func abandonedPartialBackupsAreRemovedAndNeverListed() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let data = dir + "/data"
            try BackupTree.makeData(data, tables: 2, tableSize: 4096)
            let backups = dir + "/backups"
            let abandoned = backups + "/.data-backup-v1-20260101T000000Z.partial-99999999"
            try FileManager.default.createDirectory(
                atPath: abandoned + "/application.db", withIntermediateDirectories: true)
            #expect(try BackupCatalog.list(backups).isEmpty)
            let result = try DataBackup(dataDirectory: data, backupDirectory: backups).take(upgrade: "v2", height: 10)
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups) == [result.name])
            #expect(throws: AgentError.self) {
                try BackupRestore(
                    layout: CosmovisorLayout(home: dir, daemonName: "d"), backupDirectory: backups
                ).resolve(abandoned)
            }
        }
    }

    @Test func restorePutsTheBackupBackAndKeepsTheDataBefore() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let layout = CosmovisorLayout(home: dir + "/home", daemonName: "d")
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            let data = layout.dataDirectory
            try BackupTree.makeData(data, tables: 6, tableSize: 64 << 10)
            let atBackup = try BackupTree.snapshot(data)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            let backup = try DataBackup(dataDirectory: data, backupDirectory: backups).take(upgrade: "v2", height: 1200)

            // What a new binary does: appends, rewrites, compacts tables away, adds files.
            try BackupTree.append(data + "/application.db/000100.log", "more records")
            try "MANIFEST-000002\n".write(toFile: data + "/application.db/CURRENT", atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(atPath: data + "/application.db/000005.ldb")
            try BackupTree.writeFile(data + "/application.db/000200.ldb", size: 5000, seed: 1)
            let afterUpgrade = try BackupTree.snapshot(data)
            #expect(BackupTree.differences(atBackup, try BackupTree.snapshot(backup.path)) == [], "backup unchanged")

            let restore = BackupRestore(layout: layout, backupDirectory: backups)
            let date = Date(timeIntervalSince1970: 1_796_115_305)
            let result = try restore.restore(backup.name, at: date)
            #expect(BackupTree.differences(atBackup, try BackupTree.snapshot(data)) == [])
            #expect(!FileManager.default.fileExists(atPath: data + "/" + BackupManifest.fileName))
            #expect(result.previous == data + ".before-restore-20261201T085505Z")
            #expect(BackupTree.differences(afterUpgrade, try BackupTree.snapshot(result.previous ?? "")) == [])
            #expect(BackupTree.differences(atBackup, try BackupTree.snapshot(backup.path)) == [], "backup unchanged")
            #expect(result.keptSigningState == nil)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: layout.home).filter {
                $0.hasPrefix(".data.restore")
            }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func restoreIsRefusedWhileTheAgentLockIsHeld() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let layout = CosmovisorLayout(home: dir + "/home", daemonName: "d")
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            try BackupTree.makeData(layout.dataDirectory, tables: 2, tableSize: 4096)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            let backup = try DataBackup(dataDirectory: layout.dataDirectory, backupDirectory: backups)
                .take(upgrade: "v2", height: 1)
            try BackupTree.writeFile(layout.dataDirectory + "/new.log", size: 10, seed: 1)
            let before = try BackupTree.snapshot(layout.dataDirectory)
            let held = try AgentLock.acquire(AgentLock.path(in: layout))
            defer { close(held.descriptor) }
            #expect {
                try BackupRestore(layout: layout, backupDirectory: backups).restore(backup.name)
            } throws: { error in
                "\(error)".hasPrefix("refusing to restore a backup while the node runs: another node-agent")
            }
            #expect(BackupTree.differences(before, try BackupTree.snapshot(layout.dataDirectory)) == [])
        }
    }

    @Test func restoreNeverTakesTheSigningStateBack() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let layout = CosmovisorLayout(home: dir + "/home", daemonName: "d")
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
            let data = layout.dataDirectory
            try BackupTree.makeData(data, tables: 2, tableSize: 4096)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            let backup = try DataBackup(dataDirectory: data, backupDirectory: backups).take(upgrade: "v2", height: 1)
            let newer = #"{"height":"1250","round":0,"step":3}"#
            try newer.write(toFile: data + "/priv_validator_state.json", atomically: true, encoding: .utf8)
            let result = try BackupRestore(layout: layout, backupDirectory: backups).restore(backup.path)
            #expect(result.keptSigningState?.current == 1250 && result.keptSigningState?.backup == 1200)
            #expect(try String(contentsOfFile: data + "/priv_validator_state.json", encoding: .utf8) == newer)
        }
    }

    @Test func listingIsNewestFirstWithApparentAndUniqueSizes() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let data = dir + "/data"
            try BackupTree.makeData(data, tables: 6, tableSize: 256 << 10)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(
                atPath: backups + "/data-backup-2021-8-10", withIntermediateDirectories: true)
            try BackupTree.writeFile(backups + "/data-backup-2021-8-10/blocks.log", size: 10_000, seed: 1)
            let take = DataBackup(dataDirectory: data, backupDirectory: backups)
            let old = try take.take(upgrade: "v2", height: 1, at: Date(timeIntervalSince1970: 1_900_000_000))
            let new = try take.take(upgrade: "v3", height: 2, at: Date(timeIntervalSince1970: 1_900_100_000))
            let items = try BackupCatalog.list(backups)
            #expect(items.map(\.name) == [new.name, old.name, "data-backup-2021-8-10"])
            let apparent = try BackupTree.snapshot(data).keys.reduce(Int64(0)) { total, path in
                var info = stat()
                lstat(data + "/" + path, &info)
                return total + (info.st_mode & S_IFMT == S_IFREG ? Int64(info.st_size) : 0)
            }
            #expect(items[0].apparentBytes == apparent)
            #expect(items[0].upgrade == "v3" && items[2].upgrade == nil)
            if new.method == .hardLink {
                // The tables are shared with data/: only the copies count as the backup's own.
                #expect(items[0].uniqueBytes < apparent - 6 * (256 << 10) + (1 << 20))
                #expect(items[0].uniqueBytes >= new.bytesCopied)
            }
        }
    }

    @Test func theStateFileRecordsTheLastBackupAndOldFilesStillDecode() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let path = dir + "/state.json"
            let old = #"""
                {"schema":1,"pid":42,"started_at":"2026-01-01T10:00:00Z","version":"0.1.0","home":"/n",
                 "daemon_name":"simd","updated_at":"2026-01-01T10:00:00Z",
                 "child":{"starts":1,"upgrades_applied":[],"state":"running"},"settings":{}}
                """#
            try old.write(toFile: path, atomically: true, encoding: .utf8)
            var state = try #require(try AgentRuntimeState.read(from: path))
            #expect(state.lastBackup == nil)
            state.lastBackup = .init(
                path: "/b/data-backup-v2-20261201T085505Z", name: "v2", seconds: 0.25, bytesCopied: 4096,
                bytesLinked: 1 << 30, method: "hardlink"
            )
            try state.write(to: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(#""last_backup""#) && text.contains(#""bytes_linked":1073741824"#), "\(text)")
            #expect(try AgentRuntimeState.read(from: path) == state)
        }
    }
}
