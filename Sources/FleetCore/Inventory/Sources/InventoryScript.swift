import Foundation

/// Runs an Ansible dynamic-inventory executable (`script --list`, `script --host h`) and returns its stdout.
///
/// The script leads its own process group; stdout is capped at ``Limits/outputLimit`` bytes and the run at
/// ``Limits/timeout``. When it ends (or times out) whatever is left of its group is killed, so no child of
/// the script outlives the call. Blocking: call it where inventory files are read, before any fan-out.
enum InventoryScript {
    /// Bounds on one run.
    struct Limits: Sendable, Hashable {
        /// How long one run may take.
        var timeout: Duration
        /// The most stdout bytes kept; more is an error (an inventory that large is a mistake).
        var outputLimit: Int
    }

    /// Lines of stderr quoted in an error.
    static let stderrLines = 5

    /// Runs `path` with `arguments` and returns stdout.
    ///
    /// - Throws: ``InventoryError`` (`inventoryScript`) naming the script when it cannot start, exits
    ///   non-zero (quoting the first lines of stderr, escaped), times out or prints too much.
    static func run(_ path: String, arguments: [String], limits: Limits) throws(InventoryError) -> Data {
        let command = ([path] + arguments).joined(separator: " ")
        func failure(_ message: String) -> InventoryError {
            InventoryError(.inventoryScript, at: .file(path), "`\(command)` \(message)")
        }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { throw failure("cannot start: \(GoText.errno(errno))") }
        guard pipe(&err) == 0 else {
            out.forEach { close($0) }
            throw failure("cannot start: \(GoText.errno(errno))")
        }
        // Close-on-exec right away (pipe2 is not visible from Swift's Glibc module): inventories load before
        // any fan-out, so no other thread spawns in between.
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(path, arguments: arguments, stdout: out[1], stderr: err[1])
        } catch {
            (out + err).forEach { close($0) }
            throw failure("cannot start: \(GoText.errno(error.code))")
        }
        close(out[1])
        close(err[1])
        defer {
            close(out[0])
            close(err[0])
        }
        let deadline = ContinuousClock.now.advanced(by: limits.timeout)
        let (stdout, stderr, finished) = drain(
            stdout: out[0], stderr: err[0], outputLimit: limits.outputLimit, deadline: deadline)
        let status = reap(pid, deadline: finished ? deadline : .now)
        let timeout = GoDuration.format(limits.timeout)
        guard let status else { throw failure("did not finish within \(timeout) and was killed") }
        guard stdout.count <= limits.outputLimit else {
            throw failure("printed more than \(limits.outputLimit) bytes; inventories that large are not read")
        }
        guard status == 0 else {
            let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n").prefix(stderrLines)
            let quoted = TerminalText.escaped(lines.joined(separator: "\n"), keeping: .lineBreaks)
            let exit = status > 0 ? "exited with status \(status)" : "was killed by signal \(-status)"
            throw failure(exit + (quoted.isEmpty ? "" : ":\n" + quoted))
        }
        return stdout
    }

    /// Reads both pipes until both are closed or the deadline passes; returns false in `finished` on timeout.
    /// stdout beyond `outputLimit` (plus one byte, to tell) is dropped; stderr keeps 4 KiB.
    private static func drain(
        stdout: Int32, stderr: Int32, outputLimit: Int, deadline: ContinuousClock.Instant
    ) -> (Data, Data, finished: Bool) {
        var output = Data()
        var errors = Data()
        var open: [Int32] = [stdout, stderr]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !open.isEmpty {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return (output, errors, false) }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, 1000))
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0, errno != EINTR { return (output, errors, true) }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR || errno == EAGAIN { continue }
                if count <= 0 {
                    open.removeAll { $0 == entry.fd }
                    continue
                }
                if entry.fd == stdout {
                    if output.count <= outputLimit {
                        output.append(contentsOf: buffer[0..<min(count, outputLimit + 1)])
                    }
                } else if errors.count < 4096 {
                    errors.append(contentsOf: buffer[0..<count])
                }
            }
        }
        return (output, errors, true)
    }

    /// Waits for `pid` to exit until `deadline`, then kills what is left of its process group and reaps it.
    /// - Returns: the exit status, minus the signal number when a signal ended it, or nil when it had to be
    ///   killed at the deadline.
    private static func reap(_ pid: pid_t, deadline: ContinuousClock.Instant) -> Int32? {
        var exited = false
        while true {
            var info = siginfo_t()
            // WNOWAIT: the child stays a zombie, so its pid (the group id) cannot be reused before killpg.
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid
            {
                exited = true
                break
            }
            if ContinuousClock.now >= deadline { break }
            usleep(5_000)
        }
        killpg(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard exited else { return nil }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
    }

    /// `posix_spawn` with the child in its own process group, stdin from /dev/null.
    private static func spawn(
        _ path: String, arguments: [String], stdout: Int32, stderr: Int32
    ) throws(Errno) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var rc: Int32 = 0
        // ETXTBSY: the script was just written and a process forked meanwhile still holds its write
        // descriptor until it execs; a short retry is enough (as the agent's ChildProcess does).
        for attempt in 0..<20 {
            if attempt > 0 { usleep(10_000) }
            rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
            if rc != ETXTBSY { break }
        }
        guard rc == 0 else { throw Errno(code: rc) }
        return pid
    }
}
