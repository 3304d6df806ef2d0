import Foundation
import Glibc

/// `cosmovisor/current` and the files around it, with crash-safe writes (deliberate fixes 1 and 6).
///
/// Stand-in for FleetCore's `AtomicSymlink`/`AtomicFile` until branch `agent-config` is merged.
enum CurrentLink {
    /// Points `link` at the relative `target` by creating a temporary symlink next to it and
    /// `rename(2)`-ing it over the old one: there is never a moment without `current`.
    static func swap(_ link: String, to target: String) throws(StepError) {
        let directory = (link as NSString).deletingLastPathComponent
        let temporary = directory + "/.\((link as NSString).lastPathComponent).tmp-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else { throw .errno("creating current symlink", errno) }
        guard rename(temporary, link) == 0 else {
            let code = errno
            unlink(temporary)
            throw .errno("creating current symlink", code)
        }
        syncDirectory(directory)
    }

    /// Makes sure `current` resolves; (re)creates `current -> genesis` when it is missing or dangling.
    static func ensure(root: String) throws(StepError) {
        let link = root + "/current"
        var info = stat()
        if stat(link, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        var linkInfo = stat()
        if lstat(link, &linkInfo) == 0, linkInfo.st_mode & S_IFMT != S_IFLNK {
            throw StepError("error creating symlink to genesis: symlink genesis current: file exists")
        }
        try swap(link, to: "genesis")
    }

    /// The raw target of `current` (`genesis`, `upgrades/v2`), `nil` when it is not a symlink.
    static func target(root: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/current")
    }

    /// Checks that `path` is a regular file and adds execute bits (a+x) when needed (cosmovisor's EnsureBinary).
    static func ensureBinary(_ path: String) throws(StepError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .errno("stat \(path)", errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StepError("\(path) is not a regular file") }
        let wanted = info.st_mode | S_IXUSR | S_IXGRP | S_IXOTH
        if wanted != info.st_mode, chmod(path, wanted) != 0 { throw .errno("chmod \(path)", errno) }
    }

    /// Writes `contents` to `path` through a temporary file, fsync and rename, then fsyncs the directory.
    static func writeAtomically(_ contents: Data, to path: String, mode: mode_t = 0o644) throws(StepError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .errno("open \(temporary)", errno) }
        var offset = 0
        let bytes = [UInt8](contents)
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw .errno("write \(temporary)", code)
            }
            offset += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .errno("replace \(path)", code)
        }
        syncDirectory(directory)
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// A failed upgrade step, with the message cosmovisor prints after `Error: `.
struct StepError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    static func errno(_ operation: String, _ code: Int32) -> StepError {
        StepError("\(operation): \(String(cString: strerror(code)).lowercased())")
    }
}
