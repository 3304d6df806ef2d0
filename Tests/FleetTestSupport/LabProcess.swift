import Foundation

/// Child processes of a ``BastionLab``, started with `posix_spawn` and reaped with `waitpid` on their
/// own PID.
///
/// Not Foundation's `Process`: with an sshd of the lab running as a direct child, a short command
/// started next (`ip`, `sshd -t`) was sometimes never reaped and `waitUntilExit` hung beside the
/// zombie. Waiting on the exact PID cannot miss the exit.
enum LabProcess {
    /// Starts `argv` (an absolute path first) with stdin on /dev/null and stdout and stderr to `output`
    /// (a descriptor, else /dev/null); returns the PID.
    static func spawn(_ argv: [String], output: Int32? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, nil, &pointers, environ)
        guard status == 0 else {
            throw SandboxError(message: "cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Waits for `pid` and returns its exit code (128 + signal when killed).
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs `argv` to completion and returns its exit code and its stdout and stderr together.
    static func run(_ argv: [String]) throws -> (exitCode: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SandboxError(message: "pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        let pid: pid_t
        do {
            pid = try spawn(argv, output: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count > 0 {
                output += buffer[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(fds[0])
        return (wait(pid), String(decoding: output, as: UTF8.self))
    }
}
