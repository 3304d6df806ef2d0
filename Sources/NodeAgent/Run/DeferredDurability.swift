import Dispatch
import FleetCore
import Foundation
import Glibc

/// Takes `fsync(2)` off the switch path without giving up atomicity.
///
/// On this project's reference host one fsync costs 10–90 ms, so a switch that synced every file it
/// touches could never meet the 20 ms target. Every replacement is still a rename of a complete temporary
/// file or link (atomic for readers and for a killed agent); only the flush to disk is done here, on one
/// background queue, right after. Journaling filesystems (ext4, xfs) commit metadata in order, so the
/// node's own first fsync cannot make its new blocks durable before our earlier rename of `current`.
///
/// The runtime state file goes through ``submit(_:to:)``: the latest state wins, each write is
/// FleetCore's ``AgentRuntimeState/write(to:)`` (temporary file, fsync, rename).
final class DeferredDurability: DeferredFlusher, @unchecked Sendable {  // `lock` guards `pendingState` and `writing`.
    private let queue = DispatchQueue(label: "node-agent.durability", qos: .utility)
    private let lock = NSLock()
    private var pendingState: (AgentRuntimeState, String)?
    private var writing = false

    /// Flushes `path` (a file or a directory) to disk soon.
    func sync(_ path: String) {
        queue.async { DeferredDurability.fsyncPath(path) }
    }

    /// Writes the state file soon; a newer state submitted meanwhile replaces this one.
    func submit(_ state: AgentRuntimeState, to path: String) {
        let start: Bool = lock.withLock {
            pendingState = (state, path)
            defer { writing = true }
            return !writing
        }
        guard start else { return }
        queue.async { [self] in drain() }
    }

    /// Writes the state file now, after everything submitted before, and returns once it is on disk
    /// (temporary file, fsync, rename, directory fsync). Blocking: call it through ``BlockingWork``.
    ///
    /// - Throws: ``NodeFileError`` when the file cannot be written.
    func writeNow(_ state: AgentRuntimeState, to path: String) throws(NodeFileError) {
        let failure = queue.sync { () -> NodeFileError? in
            do throws(NodeFileError) {
                try state.write(to: path)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Waits until everything submitted so far is on disk.
    func flush() {
        queue.sync {}
        queue.sync {}
    }

    private func drain() {
        while true {
            let next: (AgentRuntimeState, String)? = lock.withLock {
                defer { pendingState = nil }
                if pendingState == nil { writing = false }
                return pendingState
            }
            guard let (state, path) = next else { return }
            try? state.write(to: path)
        }
    }

    static func fsyncPath(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
