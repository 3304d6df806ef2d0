import FleetCore
import Foundation
import Glibc

/// `cosmovisor/current` and the files around it, with crash-safe writes (deliberate fixes 1 and 6).
///
enum RunLinks {
    /// Points `link` at the relative `target`: a fresh symlink under a temporary name, `rename(2)`-ed over
    /// the old one, so there is never a moment without `current` (FleetCore ``AtomicSymlink``'s method).
    /// The directory is flushed by `durability` in the background, or at once when it is `nil`.
    static func swap(_ link: String, to target: String, durability: DeferredDurability? = nil) throws(StepError) {
        guard let durability else {
            do {
                try AtomicSymlink.replace(link: link, target: target)
            } catch {
                throw StepError("creating current symlink: \(error)")
            }
            return
        }
        let directory = (link as NSString).deletingLastPathComponent
        let temporary = directory + "/.\((link as NSString).lastPathComponent).tmp-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else { throw .errno("creating current symlink", errno) }
        guard rename(temporary, link) == 0 else {
            let code = errno
            unlink(temporary)
            throw .errno("creating current symlink", code)
        }
        durability.sync(directory)
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

    /// Checks that `path` is a regular file and adds execute bits (a+x) when needed (cosmovisor's EnsureBinary).
    static func ensureBinary(_ path: String) throws(StepError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .errno("stat \(path)", errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StepError("\(path) is not a regular file") }
        let wanted = info.st_mode | S_IXUSR | S_IXGRP | S_IXOTH
        if wanted != info.st_mode, chmod(path, wanted) != 0 { throw .errno("chmod \(path)", errno) }
    }

    /// Writes `contents` to a temporary file and renames it over `path` (atomic for readers and for a killed
    /// agent); the file and its directory are flushed by `durability` in the background, or at once with
    /// FleetCore's ``AtomicFile`` when it is `nil`.
    static func writeAtomically(_ contents: Data, to path: String, durability: DeferredDurability? = nil)
        throws(StepError)
    {
        guard let durability else {
            do {
                try AtomicFile.write(contents, to: path)
            } catch {
                throw StepError("\(error)")
            }
            return
        }
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno("open \(temporary)", errno) }
        let bytes = [UInt8](contents)
        var offset = 0
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
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .errno("replace \(path)", code)
        }
        durability.sync(path)
        durability.sync((path as NSString).deletingLastPathComponent)
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
