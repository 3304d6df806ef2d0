import Dispatch
import Foundation
import Glibc

/// What a helper command (`<app> status`, `<app> pre-upgrade`, the custom script) produced.
struct CapturedRun: Sendable {
    /// How it ended.
    var status: ChildExit
    /// Everything it wrote to stdout (stderr is discarded, as cosmovisor does).
    var output: String
}

extension ChildProcess {
    /// Runs a helper command to completion, capturing stdout and discarding stderr.
    ///
    /// - Parameters:
    ///   - directory: working directory; the command goes through `/bin/sh` to `cd` there because
    ///     `posix_spawn_file_actions_addchdir_np` is not visible from Swift's Glibc module.
    ///   - timeout: after this long the helper's process group is killed.
    static func capture(
        _ executable: String,
        arguments: [String],
        directory: String? = nil,
        timeout: Duration? = nil
    ) async throws(SpawnError) -> CapturedRun {
        var fds: [Int32] = [-1, -1]
        guard ChildProcess.makePipe(&fds) else { throw SpawnError(executable: executable, errno: errno) }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        let child: ChildProcess
        do {
            if let directory {
                child = try spawn(
                    "/bin/sh",
                    arguments: ["-c", "cd \"$0\" || exit 127; exec \"$@\"", directory, executable] + arguments,
                    stdin: null,
                    stdout: fds[1],
                    stderr: null
                )
            } else {
                child = try spawn(executable, arguments: arguments, stdin: null, stdout: fds[1], stderr: null)
            }
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        let readEnd = fds[0]
        let output = OutputBox()
        let reader = Thread {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n > 0 {
                    bytes += buffer[0..<n]
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(readEnd)
            output.finish(String(decoding: bytes, as: UTF8.self))
        }
        reader.start()
        let status: ChildExit
        if let timeout {
            status = await withTaskGroup(of: ChildExit?.self) { group in
                group.addTask { await child.wait() }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                let first = await group.next() ?? nil
                if first == nil { child.signalGroup(SIGKILL) }
                group.cancelAll()
                if let first { return first }
                return await child.wait()
            }
        } else {
            status = await child.wait()
        }
        // The helper may have left a grandchild holding the pipe; do not wait for it.
        child.signalGroup(SIGKILL)
        // A descendant outside the group may still hold the pipe; never wait for its EOF for long.
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { output.expire() }
        let text = await output.value()
        return CapturedRun(status: status, output: text)
    }
}

/// Captured output handed from the reader thread; guarded by `lock`.
private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    private var waiter: CheckedContinuation<String, Never>?

    func finish(_ value: String) {
        let resume: CheckedContinuation<String, Never>? = lock.withLock {
            guard text == nil else { return nil }
            text = value
            defer { waiter = nil }
            return waiter
        }
        resume?.resume(returning: value)
    }

    /// Gives a waiter the empty string when the reader has not finished by now.
    func expire() {
        let resume: CheckedContinuation<String, Never>? = lock.withLock {
            guard text == nil else { return nil }
            text = ""
            defer { waiter = nil }
            return waiter
        }
        resume?.resume(returning: "")
    }

    func value() async -> String {
        await withCheckedContinuation { continuation in
            let ready: String? = lock.withLock {
                if let text { return text }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
