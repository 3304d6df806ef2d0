import Dispatch
import Foundation
import Glibc

/// What a helper command (`<app> status`, `<app> version`, `<app> pre-upgrade`, the custom script, `tar`,
/// `unzip`, `curl`) produced.
struct CapturedRun: Sendable {
    /// How it ended.
    var status: ChildExit
    /// Everything it wrote to stdout.
    var output: String
    /// Everything it wrote to stderr, when asked for; otherwise stderr is discarded, as cosmovisor does.
    var errorOutput = ""
    /// Whether the time limit killed it.
    var timedOut = false
}

extension ChildProcess {
    /// Runs a helper command to completion, capturing stdout (and stderr when asked; else it is discarded).
    ///
    /// - Parameters:
    ///   - directory: working directory; the command goes through `/bin/sh` to `cd` there because
    ///     `posix_spawn_file_actions_addchdir_np` is not visible from Swift's Glibc module.
    ///   - captureErrorOutput: capture stderr into ``CapturedRun/errorOutput``.
    ///   - timeout: after this long the helper's process group is killed.
    static func capture(
        _ executable: String,
        arguments: [String],
        directory: String? = nil,
        captureErrorOutput: Bool = false,
        timeout: Duration? = nil
    ) async throws(AgentError) -> CapturedRun {
        var fds: [Int32] = [-1, -1]
        guard ChildProcess.makePipe(&fds) else { throw AgentError.spawn(executable, errno: errno) }
        var errorFds: [Int32] = [-1, -1]
        if captureErrorOutput, !ChildProcess.makePipe(&errorFds) {
            let code = errno
            fds.forEach { close($0) }
            throw AgentError.spawn(executable, errno: code)
        }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        let stderr = captureErrorOutput ? errorFds[1] : null
        let child: ChildProcess
        do {
            if let directory {
                child = try spawn(
                    "/bin/sh",
                    arguments: ["-c", "cd \"$0\" || exit 127; exec \"$@\"", directory, executable] + arguments,
                    stdin: null,
                    stdout: fds[1],
                    stderr: stderr
                )
            } else {
                child = try spawn(executable, arguments: arguments, stdin: null, stdout: fds[1], stderr: stderr)
            }
        } catch {
            (fds + errorFds).filter { $0 >= 0 }.forEach { close($0) }
            throw error
        }
        close(fds[1])
        if captureErrorOutput { close(errorFds[1]) }
        let output = OutputBox.reading(fds[0])
        let errorOutput = captureErrorOutput ? OutputBox.reading(errorFds[0]) : nil
        let (status, timedOut): (ChildExit, Bool)
        if let timeout {
            (status, timedOut) = await withTaskGroup(of: ChildExit?.self) { group in
                group.addTask { await child.wait() }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                let first = await group.next() ?? nil
                if first == nil { child.signalGroup(SIGKILL) }
                group.cancelAll()
                if let first { return (first, false) }
                return (await child.wait(), true)
            }
        } else {
            (status, timedOut) = (await child.wait(), false)
        }
        // The helper may have left a grandchild holding the pipe; do not wait for it.
        child.signalGroup(SIGKILL)
        // A descendant outside the group may still hold a pipe; never wait for its EOF for long: after
        // 2 s the output is what the helper wrote so far.
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            output.settle()
            errorOutput?.settle()
        }
        return CapturedRun(
            status: status,
            output: await output.value(),
            errorOutput: await errorOutput?.value() ?? "",
            timedOut: timedOut
        )
    }
}

/// Captured output handed from the reader thread; guarded by `lock`.
private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var text: String?
    private var waiter: CheckedContinuation<String, Never>?

    /// A box filled by a thread that reads `descriptor` to its end and closes it.
    static func reading(_ descriptor: Int32) -> OutputBox {
        let box = OutputBox()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if n > 0 {
                    box.append(buffer[0..<n])
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(descriptor)
            box.settle()
        }.start()
        return box
    }

    private func append(_ chunk: ArraySlice<UInt8>) {
        lock.withLock { if text == nil { bytes += chunk } }
    }

    /// Fixes the text as what was read so far (at EOF, or when a descendant outside the group still
    /// holds the pipe and the caller will not wait any longer) and hands it to a waiter.
    func settle() {
        let (resume, value): (CheckedContinuation<String, Never>?, String) = lock.withLock {
            guard text == nil else { return (nil, "") }
            let value = String(decoding: bytes, as: UTF8.self)
            text = value
            defer { waiter = nil }
            return (waiter, value)
        }
        resume?.resume(returning: value)
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
