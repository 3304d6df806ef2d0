import Foundation

/// Symlink replacement with no moment where the link is missing.
///
/// Cosmovisor removes `current` and creates it again, leaving a window with no link at all (spec §5.7).
/// ``replace(link:target:)`` instead creates the new link under a temporary name in the same directory
/// and `rename(2)`s it over the old one, which POSIX makes atomic for readers; then it fsyncs the
/// directory. The target is stored as given, so relative targets (`genesis`, `upgrades/v2`) stay
/// relative and the tree still works when moved or bind-mounted.
///
/// ```swift
/// try AtomicSymlink.replace(link: layout.current, target: layout.linkTarget(for: name))
/// ```
public enum AtomicSymlink {
    /// Points `link` at `target`, replacing an existing symlink atomically.
    ///
    /// An existing symlink or regular file at `link` is replaced; a real directory is not (`rename(2)`
    /// refuses with `EISDIR`), so a misplaced directory is reported rather than destroyed.
    ///
    /// - Parameters:
    ///   - link: the symlink's path (for example `<root>/current`).
    ///   - target: the content of the link, normally relative to the link's directory.
    ///   - durability: fsync the directory before returning (the default), or hand it to a background flusher.
    /// - Throws: ``NodeFileError`` (`.symlink` or `.rename`); the temporary link is removed.
    public static func replace(
        link: String,
        target: String,
        durability: Durability = .immediate
    ) throws(NodeFileError) {
        let temporary = PosixFile.temporarySibling(of: link)
        if symlink(target, temporary) != 0 { throw .syscall(.symlink, "symlink", path: temporary) }
        if rename(temporary, link) != 0 {
            let code = errno
            unlink(temporary)
            throw .syscall(.rename, "rename", path: link, errno: code)
        }
        switch durability {
        case .immediate: _ = PosixFile.syncDirectory(PosixFile.directory(of: link))
        case .deferred(let flusher): flusher.sync(PosixFile.directory(of: link))
        }
    }

    /// The content of the symlink at `link`, or `nil` when there is no symlink there.
    public static func target(of link: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
