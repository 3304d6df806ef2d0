import Foundation
import Glibc

/// Reads `data/upgrade-info.json` for the supervisor and remembers its stat signature, so the poll only
/// re-reads a file that changed (inode, size, mtime, ctime).
struct PlanFileReader: Sendable {
    private struct Signature: Equatable {
        var inode: UInt
        var size: Int
        var mtime: timespec
        var ctime: timespec

        static func == (a: Signature, b: Signature) -> Bool {
            a.inode == b.inode && a.size == b.size && a.mtime.tv_sec == b.mtime.tv_sec
                && a.mtime.tv_nsec == b.mtime.tv_nsec && a.ctime.tv_sec == b.ctime.tv_sec
                && a.ctime.tv_nsec == b.ctime.tv_nsec
        }
    }

    let path: String
    let disableRecase: Bool
    private var last: Signature??

    init(path: String, disableRecase: Bool) {
        self.path = path
        self.disableRecase = disableRecase
    }

    /// Reads the file when its signature changed since the last read (or always when `force`);
    /// `nil` means unchanged. `childStartedAt` (wall clock) tells whether the file was written while the
    /// current child ran, i.e. most likely by the node itself.
    mutating func read(force: Bool, childStartedAt: timespec?) -> Supervisor.StateMachine.PlanObservation? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            // Any stat error is "no plan (yet)"; cosmovisor panics on errors other than ENOENT.
            defer { last = .some(nil) }
            return force || last != .some(nil) ? .missing : nil
        }
        let signature = Signature(
            inode: UInt(info.st_ino),
            size: Int(info.st_size),
            mtime: info.st_mtim,
            ctime: info.st_ctim
        )
        if !force, last == .some(signature) { return nil }
        let data = FileManager.default.contents(atPath: path) ?? Data()
        last = .some(signature)
        // x/upgrade writes in place (#21086): an empty file is a write in progress, and the close (inotify) or
        // the next poll (the size changes) brings the content. No sleep here: this runs on the run loop's task.
        if data.isEmpty { return .missing }
        switch RunPlan.parse(data, path: path, disableRecase: disableRecase) {
        case .success(let plan):
            let fresh = childStartedAt.map { start in
                signature.mtime.tv_sec > start.tv_sec
                    || (signature.mtime.tv_sec == start.tv_sec && signature.mtime.tv_nsec >= start.tv_nsec)
            }
            return .plan(plan, writtenSinceSpawn: fresh ?? false)
        case .failure(let problem): return .invalid(problem)
        }
    }
}
