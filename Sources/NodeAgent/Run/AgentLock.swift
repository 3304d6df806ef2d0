import FleetCore
import Foundation
import Glibc

/// The exclusive `flock(2)` on `cosmovisor/.node-agent/lock` that makes one supervised node per home.
///
/// `node-agent run` takes it before anything else and keeps the descriptor for its whole life; the node
/// it starts inherits the descriptor (``ChildProcess/spawn(_:arguments:environment:stdin:stdout:stderr:inheriting:)``),
/// so the lock stays held as long as either lives. An agent killed with SIGKILL whose node still runs
/// therefore still blocks a new agent: starting a second copy of a validator is a double sign.
///
/// ```swift
/// let lock = try AgentLock.acquire(layout.agentLockFile)
/// let child = try ChildProcess.spawn(binary, arguments: args, inheriting: [lock.descriptor])
/// ```
final class AgentLock: Sendable {
    /// The open descriptor (close-on-exec; passed on explicitly to the node only).
    let descriptor: Int32
    /// The lock file.
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// `cosmovisor/.node-agent/lock` of a home.
    static func path(in layout: CosmovisorLayout) -> String {
        layout.agentDirectory + "/lock"
    }

    /// Opens (creating) `path` and takes the exclusive lock without waiting.
    ///
    /// - Throws: ``AgentError`` naming the lock file and the holders' pids when another agent or a node an
    ///   earlier agent started holds it, or when the file cannot be opened.
    static func acquire(_ path: String) throws(AgentError) -> AgentLock {
        let directory = (path as NSString).deletingLastPathComponent
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw AgentError(.lock, "cannot create \(directory): \(GoText.errno(errno, capitalized: true))")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AgentError(.lock, "cannot open the agent lock \(path): \(GoText.errno(errno, capitalized: true))")
        }
        var result = flock(fd, LOCK_EX | LOCK_NB)
        while result != 0, errno == EINTR { result = flock(fd, LOCK_EX | LOCK_NB) }
        guard result == 0 else {
            let code = errno
            var info = stat()
            let holders =
                fstat(fd, &info) == 0
                ? ProcFS.processes(holdingDevice: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                    .filter { $0 != getpid() } : []
            close(fd)
            guard code == EWOULDBLOCK else {
                throw AgentError(.lock, "cannot lock \(path): \(GoText.errno(code, capitalized: true))")
            }
            let who = holders.isEmpty ? "" : " (held by pid \(holders.map(String.init).joined(separator: ", ")))"
            throw AgentError(
                .lock,
                "another node-agent, or a node an earlier agent started, holds the lock \(path)\(who); "
                    + "refusing to start a second copy of the node"
            )
        }
        let text = Data("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            text.withUnsafeBytes { _ = pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return AgentLock(descriptor: fd, path: path)
    }

    /// Whether some process (an agent, or the node it started) holds the lock on `path` now, read from
    /// `/proc/locks` without touching the lock itself.
    static func isHeld(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return ProcFS.hasFlock(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
