import FleetCore
import Dispatch
import Foundation
import Glibc

/// Executes a ``BackupPlan``: re-creates the entries of `source` under `destination` (an empty directory
/// that exists), cloning, linking or copying each file as planned, then sets directory modes and fsyncs
/// every directory, children first. Used by the backup and by `restore-backup`.
struct BackupTreeWriter: Sendable {
    var source: String
    var destination: String

    /// Writes every item; returns what was done, in the plan's order.
    ///
    /// - Throws: ``AgentError`` naming the path and the system call that failed; what was written stays
    ///   under `destination` for the caller to remove.
    func write(_ plan: BackupPlan) throws(AgentError) -> [BackupManifest.Entry] {
        var done: [BackupManifest.Entry] = []
        var directories: [(path: String, mode: mode_t)] = []
        var files: [Int] = []
        // Directories and links first, in order (parents before children); files after, in parallel.
        for (index, item) in plan.items.enumerated() {
            let entry = item.entry
            let to = destination + "/" + entry.path
            var record = BackupManifest.Entry(
                path: entry.path, how: .skipped, size: entry.size, mode: String(entry.mode, radix: 8)
            )
            switch (item.action, entry.kind) {
            case (.directory, _):
                guard mkdir(to, 0o700) == 0 else { throw .step("mkdir \(to)", errno: errno) }
                directories.append((to, entry.mode))
                record.how = .directory
            case (.symlink, .symlink(let target)):
                guard symlink(target, to) == 0 else { throw .step("symlink \(to)", errno: errno) }
                record.how = .symlink
                record.target = target
            case (.share, _), (.copy, _):
                files.append(index)
            default:
                record.how = .skipped
            }
            done.append(record)
        }
        try writeFiles(files, of: plan, into: &done)
        for directory in directories.reversed() {
            guard chmod(directory.path, directory.mode) == 0 else {
                throw .step("chmod \(directory.path)", errno: errno)
            }
            if let code = Self.syncDirectory(directory.path) { throw .step("fsync \(directory.path)", errno: code) }
        }
        return done
    }

    /// How many files are linked, cloned or copied at once: on a cold cache each `link(2)` and copy waits
    /// for its inode to be read, and several requests in flight overlap those reads.
    static let lanes = 8

    /// Writes the files `indices` of `plan` in ``lanes`` threads and stores each one's record in `done`.
    private func writeFiles(
        _ indices: [Int], of plan: BackupPlan, into done: inout [BackupManifest.Entry]
    ) throws(AgentError) {
        let results = LaneResults<BackupManifest.Entry>(count: indices.count)
        results.run(lanes: Self.lanes) { position throws(AgentError) in
            try file(plan.items[indices[position]], method: plan.method)
        }
        for (position, index) in indices.enumerated() {
            done[index] = try results.take(position).get()
        }
    }

    /// Links, clones or copies one file.
    private func file(_ item: BackupPlan.Item, method: BackupPlan.Method) throws(AgentError) -> BackupManifest.Entry {
        let entry = item.entry
        let from = source + "/" + entry.path
        let to = destination + "/" + entry.path
        var record = BackupManifest.Entry(
            path: entry.path, how: .copied, size: entry.size, mode: String(entry.mode, radix: 8)
        )
        if item.action == .share {
            record.how = try share(entry, from: from, to: to, method: method)
        } else {
            try copy(entry, from: from, to: to)
        }
        if record.how == .copied { record.sha256 = try digest(entry, at: to) }
        return record
    }

    /// Clones or hard-links; falls back to a hard link (table files) or a copy when the file system refuses.
    private func share(
        _ entry: BackupEntry, from: String, to: String, method: BackupPlan.Method
    ) throws(AgentError) -> BackupManifest.How {
        if method == .reflink, FileClone.reflink(from, to: to, mode: entry.mode) == nil { return .reflinked }
        if BackupPlan.isImmutable(entry), FileClone.hardLink(from, to: to) == nil { return .linked }
        try copy(entry, from: from, to: to)
        return .copied
    }

    private func copy(_ entry: BackupEntry, from: String, to: String) throws(AgentError) {
        if let failure = FileClone.copy(from, to: to, mode: entry.mode) {
            throw .step("copy \(from) to \(to): \(failure.path)", errno: failure.errno)
        }
    }

    private func digest(_ entry: BackupEntry, at path: String) throws(AgentError) -> String? {
        guard entry.size <= BackupManifest.digestLimit else { return nil }
        do {
            return try FileDigest.hex(.sha256, ofFile: path)
        } catch {
            throw AgentError(.step, "sha256 of \(path): \(error.message)")
        }
    }

    /// fsyncs a directory; `errno` on failure.
    static func syncDirectory(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return errno }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : errno
    }

    /// Free bytes for an unprivileged writer on the file system holding `path` (`statvfs`).
    static func freeBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The method for writing from `source` into `directory`: a copy across file systems, a clone where
    /// `probe` (a non-empty file under `source`) clones, else hard links.
    static func method(from source: String, into directory: String, probe: String?) -> BackupPlan.Method {
        var from = stat()
        var into = stat()
        guard stat(source, &from) == 0, stat(directory, &into) == 0, from.st_dev == into.st_dev else {
            return .copy
        }
        if let probe, FileClone.supportsReflink(from: probe, in: directory) { return .reflink }
        return .hardLink
    }
}
