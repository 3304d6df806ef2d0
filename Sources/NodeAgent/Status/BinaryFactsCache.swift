import FleetCore
import Foundation

/// The node-side cache of a binary's sha256 and `version` line that `fleet status`'s shell probe also
/// uses (same folder, same key, same line format), so a node is hashed once whichever asks first.
///
/// The key is GNU `stat -c '%d_%i_%s_%.9Y_%.9Z'`: device, inode, size, mtime and ctime in nanoseconds.
/// Any write, rename over or chmod changes the ctime, which no user can set back, so a changed file is
/// hashed again. As git does with its index, a file changed less than ``minimumAge`` (2 s) ago is never
/// cached, so a write within one timestamp tick cannot hide behind an entry.
struct BinaryFactsCache {
    /// `${XDG_CACHE_HOME:-$HOME/.cache}/fleet-probe`, or `nil` without a home.
    var directory: String?
    /// How many seconds a file must be unchanged (by its ctime) before its facts are cached.
    var minimumAge: Int = 2

    /// The cache of this process's user.
    static func forCurrentUser(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return Self(directory: xdg + "/fleet-probe") }
        guard let home = environment["HOME"], !home.isEmpty else { return Self(directory: nil) }
        return Self(directory: home + "/.cache/fleet-probe")
    }

    /// The entry name for a file's `stat`.
    static func key(_ info: stat) -> String {
        func stamp(_ time: timespec) -> String {
            let nanos = String(time.tv_nsec)
            return "\(time.tv_sec).\(String(repeating: "0", count: max(0, 9 - nanos.count)))\(nanos)"
        }
        return "\(info.st_dev)_\(info.st_ino)_\(info.st_size)_\(stamp(info.st_mtim))_\(stamp(info.st_ctim))"
    }

    /// The cached sha256 and version (`nil` version: none recorded) for a file with `info`.
    func lookup(_ info: stat) -> (sha256: String, version: String?)? {
        guard let directory,
            let text = try? String(contentsOfFile: directory + "/" + Self.key(info), encoding: .utf8)
        else { return nil }
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let sha = fields.first, sha.count == 64 else { return nil }
        let version = fields.dropFirst().first.flatMap { Data(base64Encoded: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
        return (sha, version.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Records facts for a file with `info`, unless it changed less than ``minimumAge`` seconds ago or the
    /// cache is unusable.
    func store(_ info: stat, sha256: String, version: String?, now: Date = Date()) {
        guard let directory, Int(now.timeIntervalSince1970) - Int(info.st_ctim.tv_sec) >= minimumAge else {
            return
        }
        let line = sha256 + " " + Data((version ?? "").utf8).base64EncodedString() + "\n"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(Data(line.utf8), to: directory + "/" + Self.key(info), mode: 0o644)
    }
}
