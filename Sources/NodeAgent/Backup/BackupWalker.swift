import FleetCore
import Glibc

/// Lists a directory tree with `lstat(2)`, parents before children, symbolic links not followed: the
/// input of ``BackupPlan`` and of the backup listing.
enum BackupWalker {
    /// One entry with what the listing also needs from `lstat`.
    struct Found: Sendable {
        var entry: BackupEntry
        /// Blocks allocated on disk, in bytes (`st_blocks * 512`).
        var allocated: Int64
        /// Hard links to the inode (`st_nlink`).
        var links: Int
    }

    /// Every entry under `root` (not `root` itself), sorted by path within each directory.
    ///
    /// - Parameter skip: relative paths left out (with everything under them).
    /// - Throws: ``AgentError`` naming the path that could not be read.
    static func walk(_ root: String, skip: Set<String> = []) throws(AgentError) -> [Found] {
        var found: [Found] = []
        try walk(root, relative: "", skip: skip, into: &found)
        return found
    }

    private static func walk(
        _ root: String, relative: String, skip: Set<String>, into found: inout [Found]
    ) throws(AgentError) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        let paths = try names(in: directory).map { relative.isEmpty ? $0 : relative + "/" + $0 }.filter {
            !skip.contains($0)
        }
        let stats = LaneResults<Found>(count: paths.count)
        stats.run(lanes: BackupTreeWriter.lanes) { position throws(AgentError) in
            try entry(root, paths[position])
        }
        for position in paths.indices {
            let next = try stats.take(position).get()
            found.append(next)
            if next.entry.kind == .directory { try walk(root, relative: next.entry.path, skip: skip, into: &found) }
        }
    }

    /// `lstat` of one entry.
    private static func entry(_ root: String, _ path: String) throws(AgentError) -> Found {
        let full = root + "/" + path
        var info = stat()
        guard lstat(full, &info) == 0 else { throw .step("lstat \(full)", errno: errno) }
        let kind: BackupEntry.Kind
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .file
        case S_IFLNK: kind = .symlink(target: try linkTarget(full, size: Int(info.st_size)))
        default: kind = .special
        }
        let entry = BackupEntry(
            path: path,
            kind: kind,
            size: kind == .file ? Int64(info.st_size) : 0,
            mode: info.st_mode & 0o7777
        )
        return Found(entry: entry, allocated: Int64(info.st_blocks) * 512, links: Int(info.st_nlink))
    }

    /// The names in one directory, sorted, without `.` and `..`.
    static func names(in directory: String) throws(AgentError) -> [String] {
        guard let handle = opendir(directory) else { throw .step("opendir \(directory)", errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    private static func linkTarget(_ path: String, size: Int) throws(AgentError) -> String {
        var buffer = [CChar](repeating: 0, count: max(size, 255) + 2)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw .step("readlink \(path)", errno: errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
