import FleetCore
import Foundation
import Glibc

@testable import NodeAgent

/// Test helpers for backups: LevelDB-shaped data trees and what a tree holds, file by file.
enum BackupTree {
    /// What one path holds: a file's sha256 and mode, a directory's mode, a link's target.
    enum Content: Equatable, CustomStringConvertible {
        case file(sha256: String, mode: mode_t)
        case directory(mode: mode_t)
        case symlink(String)

        var description: String {
            switch self {
            case .file(let sha, let mode): "file \(String(mode, radix: 8)) \(sha.prefix(12))"
            case .directory(let mode): "dir \(String(mode, radix: 8))"
            case .symlink(let target): "-> \(target)"
            }
        }
    }

    /// Every entry under `root` (manifest left out) with its content.
    static func snapshot(_ root: String) throws -> [String: Content] {
        var result: [String: Content] = [:]
        for found in try BackupWalker.walk(root, skip: [BackupManifest.fileName]) {
            let entry = found.entry
            switch entry.kind {
            case .file:
                result[entry.path] = .file(
                    sha256: try FileDigest.hex(.sha256, ofFile: root + "/" + entry.path), mode: entry.mode)
            case .directory: result[entry.path] = .directory(mode: entry.mode)
            case .symlink(let target): result[entry.path] = .symlink(target)
            case .special: break
            }
        }
        return result
    }

    /// The differences between two snapshots, for a readable failure.
    static func differences(_ a: [String: Content], _ b: [String: Content]) -> [String] {
        Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key]
                ? nil : "\(key): \(a[key].map { "\($0)" } ?? "missing") vs \(b[key].map { "\($0)" } ?? "missing")"
        }
    }

    /// Writes `size` bytes of a pattern seeded by `seed` (1 MiB writes: cheap, real bytes, no holes).
    static func writeFile(_ path: String, size: Int, seed: UInt8, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HarnessError("open \(path): \(errno)") }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: min(size, 1 << 20))
        for index in chunk.indices { chunk[index] = UInt8(truncatingIfNeeded: index &* 31 &+ Int(seed) &* 7) }
        var left = size
        while left > 0 {
            let count = min(left, chunk.count)
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, count) }
            guard written == count else { throw HarnessError("write \(path): \(errno)") }
            left -= count
        }
        fchmod(fd, mode)
    }

    /// Appends `text` to a file.
    static func append(_ path: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// A LevelDB/CometBFT-shaped `data/`: `tables` 2 MiB-ish `.ldb` files per database, a `.log`,
    /// `MANIFEST-000001`, `CURRENT`, `LOCK`, `cs.wal/`, `priv_validator_state.json` (0600), a link.
    static func makeData(_ data: String, tables: Int, tableSize: Int = 2 << 20, logSize: Int = 300_000) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: data, withIntermediateDirectories: true)
        let databases = ["application.db", "blockstore.db", "state.db"]
        for (number, database) in databases.enumerated() {
            let directory = data + "/" + database
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let count = number == 0 ? tables - 2 * (tables / 3) : tables / 3
            for table in 0..<count {
                let name = String(format: "%06d.ldb", table + 5)
                try writeFile(directory + "/" + name, size: tableSize, seed: UInt8(truncatingIfNeeded: table + number))
            }
            try writeFile(directory + "/000100.log", size: logSize + number, seed: 7)
            try "MANIFEST-000001\n".write(toFile: directory + "/CURRENT", atomically: false, encoding: .utf8)
            try writeFile(directory + "/MANIFEST-000001", size: 4000, seed: 9)
            try writeFile(directory + "/LOCK", size: 0, seed: 0)
        }
        try manager.createDirectory(atPath: data + "/cs.wal", withIntermediateDirectories: true)
        try writeFile(data + "/cs.wal/wal", size: 1 << 20, seed: 3)
        try #"{"height":"1200","round":0,"step":3}"#.write(
            toFile: data + "/priv_validator_state.json", atomically: false, encoding: .utf8)
        chmod(data + "/priv_validator_state.json", 0o600)
        try manager.createDirectory(atPath: data + "/snapshots", withIntermediateDirectories: true)
        chmod(data + "/snapshots", 0o750)
        symlink("../config/genesis.json", data + "/genesis-link")
    }
}
