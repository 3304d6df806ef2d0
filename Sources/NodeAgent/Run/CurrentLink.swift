import FleetCore
import Foundation
import Glibc

/// `cosmovisor/current` and the files around it, with crash-safe writes (deliberate fixes 1 and 6).
///
enum CurrentLink {
    /// Points `link` at the relative `target` with FleetCore's ``AtomicSymlink`` (temporary link +
    /// `rename(2)`): there is never a moment without `current`.
    static func swap(_ link: String, to target: String) throws(StepError) {
        do {
            try AtomicSymlink.replace(link: link, target: target)
        } catch {
            throw StepError("creating current symlink: \(error)")
        }
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
        AtomicSymlink.target(of: root + "/current")
    }

    /// Checks that `path` is a regular file and adds execute bits (a+x) when needed (cosmovisor's EnsureBinary).
    static func ensureBinary(_ path: String) throws(StepError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .errno("stat \(path)", errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StepError("\(path) is not a regular file") }
        let wanted = info.st_mode | S_IXUSR | S_IXGRP | S_IXOTH
        if wanted != info.st_mode, chmod(path, wanted) != 0 { throw .errno("chmod \(path)", errno) }
    }

    /// Writes `contents` with FleetCore's ``AtomicFile`` (temporary file, fsync, rename, directory fsync).
    static func writeAtomically(_ contents: Data, to path: String, mode: mode_t = 0o644) throws(StepError) {
        do {
            try AtomicFile.write(contents, to: path, mode: mode)
        } catch {
            throw StepError("\(error)")
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
