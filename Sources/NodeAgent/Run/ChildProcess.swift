import FleetCore
import Foundation
import Glibc

/// How a child process ended.
enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit(code)`.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Decodes a raw `waitpid` status (`WIFEXITED` and friends are not imported into Swift).
    init(waitStatus s: Int32) {
        if s & 0x7f == 0 {
            self = .exited((s >> 8) & 0xff)
        } else {
            self = .signaled(s & 0x7f)
        }
    }

    /// Whether it exited with code 0.
    var isSuccess: Bool { self == .exited(0) }

    /// The text Go's `exec.ExitError` prints, which cosmovisor shows (`exit status 1`, `signal: killed`).
    var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let sig): return "signal: \(ChildExit.signalName(sig))"
        }
    }

    static func signalName(_ sig: Int32) -> String {
        switch sig {
        case SIGKILL: return "killed"
        case SIGTERM: return "terminated"
        case SIGINT: return "interrupt"
        case SIGQUIT: return "quit"
        case SIGHUP: return "hangup"
        default: return "signal \(sig)"
        }
    }
}

/// One child process started with raw `posix_spawn`, leading its own process group.
///
/// The child gets default signal dispositions and an empty signal mask (so a node always hears
/// SIGTERM, whatever thread spawned it), inherits our stdio unless told otherwise, and is reaped by
/// a blocking `waitpid` on a dedicated thread, never on the cooperative pool.
final class ChildProcess: Sendable {
    /// The child's pid, which is also its process-group id.
    let pid: pid_t
    /// When the child started, in clock ticks since boot (`/proc/<pid>/stat` field 22).
    let startTime: UInt64?
    private let exitStatus: WaitBox

    private init(pid: pid_t) {
        self.pid = pid
        self.startTime = ChildProcess.startTime(of: pid)
        self.exitStatus = WaitBox()
        let box = exitStatus
        // A dedicated thread blocks in waitpid; it ends as soon as the child is reaped.
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            box.complete(ChildExit(waitStatus: status))
        }
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// Marks every descriptor above 2 that this process inherited as close-on-exec, so what the agent's own
    /// parent leaked to it (a test runner's pipes, a shell's extra descriptors) never reaches the node or a
    /// helper: the children get stdio and the descriptors ``spawn`` is told to pass, nothing else.
    /// Called once, first thing in `main`.
    static func closeInheritedDescriptorsOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), fd > 2, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Starts `executable` with `arguments` (argv[0] is the executable path).
    ///
    /// - Parameters:
    ///   - stdin, stdout, stderr: file descriptors dup'ed onto 0, 1, 2; `nil` inherits ours.
    ///   - environment: the full environment; `nil` inherits ours.
    ///   - inheriting: close-on-exec descriptors the child keeps open at the same number (the agent's
    ///     ``AgentLock``); every other descriptor of ours stays closed in the child.
    /// - Throws: ``AgentError`` when `posix_spawn` fails (missing file, not executable).
    static func spawn(
        _ executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        stdin: Int32? = nil,
        stdout: Int32? = nil,
        stderr: Int32? = nil,
        inheriting: [Int32] = []
    ) throws(AgentError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            if let source { posix_spawn_file_actions_adddup2(&actions, source, target) }
        }
        // dup2 onto the same number clears FD_CLOEXEC in the child only (glibc ≥ 2.29, POSIX.1-2024), so no
        // other process spawned meanwhile gets the descriptor.
        for fd in inheriting { posix_spawn_file_actions_adddup2(&actions, fd, fd) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }

        var pid: pid_t = 0
        var rc: Int32 = 0
        // ETXTBSY: the binary was just written and some process still holds a write descriptor for a
        // moment (a concurrent fork before exec); a short retry is enough.
        for attempt in 0..<20 {
            if attempt > 0 { usleep(10_000) }
            spawnLock.lock()
            if let env {
                rc = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
            } else {
                rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
            spawnLock.unlock()
            if rc != ETXTBSY { break }
        }
        guard rc == 0 else { throw AgentError.spawn(executable, errno: rc) }
        return ChildProcess(pid: pid)
    }

    /// Waits until the child has been reaped.
    func wait() async -> ChildExit {
        await exitStatus.value()
    }

    /// The exit status if the child has been reaped already.
    var exited: ChildExit? { exitStatus.current }

    /// Sends `signal` to the child's whole process group; returns false when nothing received it.
    @discardableResult
    func signalGroup(_ signal: Int32) -> Bool {
        killpg(pid, signal) == 0
    }

    /// Serialises `posix_spawn` with ``makePipe(_:)``: a child spawned from another thread between `pipe(2)`
    /// and `fcntl(FD_CLOEXEC)` would inherit the write end, and the reader of a helper's output would then
    /// wait for EOF as long as that child (possibly the node) lives.
    private static let spawnLock = NSLock()

    /// `pipe(2)` with both ends close-on-exec (`pipe2` is not visible from Swift's Glibc module).
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// A process's start time in clock ticks since boot (``ProcFS``), used to tell a recorded pid from a
    /// reused one.
    static func startTime(of pid: pid_t) -> UInt64? {
        ProcFS.stat(of: pid)?.startTicks
    }
}

/// The exit status handed from the waiter thread to async waiters; guarded by `lock`.
private final class WaitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var status: ChildExit?
    private var waiters: [CheckedContinuation<ChildExit, Never>] = []

    var current: ChildExit? { lock.withLock { status } }

    func complete(_ value: ChildExit) {
        let toResume = lock.withLock {
            status = value
            defer { waiters = [] }
            return waiters
        }
        toResume.forEach { $0.resume(returning: value) }
    }

    func value() async -> ChildExit {
        await withCheckedContinuation { continuation in
            let ready: ChildExit? = lock.withLock {
                if let status { return status }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
