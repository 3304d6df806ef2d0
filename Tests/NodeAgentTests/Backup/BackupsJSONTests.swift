import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// `node-agent backups --json`: the list as one document, in the shape family of `--estimate --json`.
@Suite(.tags(.processes), .timeLimit(.minutes(1)))
struct BackupsJSONTests {
    @Test func theListIsOneDocumentWithWhatTheTableShowsAndTheManifestsCounts() async throws {
        try await withTemporaryDirectory("fleet-test.backup") { dir in
            let home = dir + "/home"
            try FileManager.default.createDirectory(atPath: home + "/cosmovisor", withIntermediateDirectories: true)
            try BackupTree.makeData(home + "/data", tables: 4, tableSize: 64 << 10)
            let backups = dir + "/backups"
            try FileManager.default.createDirectory(
                atPath: backups + "/data-backup-2021-8-10", withIntermediateDirectories: true)
            try BackupTree.writeFile(backups + "/data-backup-2021-8-10/blocks.log", size: 10_000, seed: 1)
            let taken = try DataBackup(dataDirectory: home + "/data", backupDirectory: backups).take(
                upgrade: "v2", height: 7, at: Date(timeIntervalSince1970: 1_900_000_000))
            let env = AgentCLI.plainLogs.merging(
                ["DAEMON_HOME": home, "DAEMON_NAME": "appd", "DAEMON_DATA_BACKUP_DIR": backups]
            ) { _, new in new }

            let result = try await AgentCLI.run(["backups", "--json"], environment: env)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.output.split(separator: "\n").count == 1, "one line: \(result.output)")
            let listing = try AgentJSON.decoder.decode(BackupListing.self, from: result.stdout)
            #expect(listing.backupDir == backups)
            #expect(listing.backups.map(\.name) == [taken.name, "data-backup-2021-8-10"])
            let ours = try #require(listing.backups.first)
            let items = try BackupCatalog.list(backups)
            #expect(ours.path == taken.path && ours.upgrade == "v2" && ours.method == taken.method.rawValue)
            #expect(ours.createdAt == "2030-03-17T17:46:40Z")
            #expect(ours.sizeBytes == items[0].apparentBytes && ours.uniqueBytes == items[0].uniqueBytes)
            #expect(ours.copiedBytes == taken.bytesCopied && ours.sharedBytes == taken.bytesShared)
            // Four tables shared (linked or cloned), the rest copied: every file of data/ counted once.
            let files = try BackupTree.snapshot(home + "/data").keys.filter {
                var info = stat()
                return lstat(home + "/data/" + $0, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            }
            #expect((ours.copiedFiles ?? 0) + (ours.sharedFiles ?? 0) == files.count)
            #expect((ours.sharedFiles ?? 0) >= 4, "\(ours)")
            let cosmovisors = listing.backups[1]
            #expect(cosmovisors.sizeBytes == 10_000)
            #expect(cosmovisors.upgrade == nil && cosmovisors.method == nil && cosmovisors.copiedFiles == nil)
            // The same key conventions as the estimate: snake_case, sizes in *_bytes.
            #expect(result.output.contains(#""backup_dir":"\#(backups)""#))
            #expect(result.output.contains(#""size_bytes":"#) && result.output.contains(#""shared_files":"#))

            // No backups: still one document.
            try FileManager.default.removeItem(atPath: backups)
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            let empty = try await AgentCLI.run(["backups", "--json"], environment: env)
            #expect(empty.exitCode == 0, "\(empty.errorOutput)")
            #expect(empty.output == #"{"backup_dir":"\#(backups)","backups":[]}"# + "\n")
        }
    }
}
