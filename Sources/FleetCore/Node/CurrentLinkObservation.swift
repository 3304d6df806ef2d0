import Foundation

/// What sits at `cosmovisor/current`, as read on the node and before any interpretation.
///
/// The agent reads it with ``read(_:)``; `fleet status`'s shell probe reports the same three facts
/// (`[ -L ]`, `readlink`, `[ -d ]`/`[ -e ]`). Both hand it to ``CosmovisorLayout/selection(for:)``, so a
/// node's `current` means one thing whoever looks.
public enum CurrentLinkObservation: Sendable, Hashable {
    /// Nothing at `current` (cosmovisor then uses, and creates, `current -> genesis`).
    case missing
    /// A file or a real directory at `current`, not a symbolic link.
    case notASymlink
    /// A symbolic link: its target exactly as written, and what the kernel finds when following it.
    case symlink(target: String, destination: Destination)

    /// What following the link reaches.
    public enum Destination: String, Sendable, Hashable, CaseIterable {
        /// A directory.
        case directory = "dir"
        /// Something that is not a directory (a regular file, a device …).
        case file
        /// Nothing: the link dangles (or loops).
        case nothing = "none"
    }

    /// The longest link target kept, in bytes (`PATH_MAX`); a longer one is cut there.
    public static let maximumTargetLength = 4096

    /// Reads the entry at `path` without changing anything: `lstat`, `readlink`, then `stat` through the link.
    public static func read(_ path: String) -> Self {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        guard info.st_mode & S_IFMT == S_IFLNK else { return .notASymlink }
        var buffer = [CChar](repeating: 0, count: maximumTargetLength + 1)
        let length = readlink(path, &buffer, maximumTargetLength)
        guard length >= 0 else { return .symlink(target: "", destination: .nothing) }
        let bytes = buffer[0..<length].map { UInt8(bitPattern: $0) }
        let target = String(decoding: bytes, as: UTF8.self)
        var followed = stat()
        let destination: Destination =
            stat(path, &followed) != 0 ? .nothing : (followed.st_mode & S_IFMT == S_IFDIR ? .directory : .file)
        return .symlink(target: target, destination: destination)
    }
}
