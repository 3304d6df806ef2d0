import Foundation

/// Runs a helper command (`<app> version`, `tar`, `curl`) to completion, with an optional time limit.
///
/// Blocks the calling thread until the command ends: from async code, run it through ``BlockingWork``.
enum ChildCommand {
    /// What the command did.
    struct Result {
        /// Exit status, or 128 + signal.
        var status: Int32
        /// Captured stdout (empty when not captured).
        var output: String
        /// Captured stderr (empty when not captured).
        var errorOutput: String = ""
        /// Whether the time limit killed it.
        var timedOut: Bool
    }

    /// Runs `executable arguments…`.
    ///
    /// - Parameters:
    ///   - captureOutput: capture stdout (stderr is discarded then); otherwise both are inherited.
    ///   - captureErrorOutput: with `captureOutput`, capture stderr too instead of discarding it.
    ///   - timeout: kill the command (SIGKILL) after this long.
    /// - Throws: ``CommandFailure`` when it cannot be started.
    static func run(
        _ executable: String,
        _ arguments: [String],
        captureOutput: Bool,
        captureErrorOutput: Bool = false,
        timeout: Duration? = nil
    ) throws(CommandFailure) -> Result {
        // A binary written a moment ago can still be held open for writing by a process that forked
        // meanwhile (ETXTBSY); a few short retries, each with a fresh Process, outlast that window.
        var attempt = 0
        var launched: (Process, Pipe, Pipe)?
        while launched == nil {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            let errorPipe = Pipe()
            if captureOutput {
                process.standardOutput = pipe
                process.standardError = captureErrorOutput ? errorPipe : FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
            }
            do {
                try process.run()
                launched = (process, pipe, errorPipe)
            } catch {
                attempt += 1
                guard attempt < 20, access(executable, X_OK) == 0 else {
                    throw CommandFailure(
                        "launching process \(([executable] + arguments).joined(separator: " ")) failed: "
                            + error.localizedDescription
                    )
                }
                usleep(10_000)
            }
        }
        guard let (process, pipe, errorPipe) = launched else {
            throw CommandFailure("launching \(executable) failed")
        }
        let timer = timeout.map { limit -> DispatchWorkItem in
            // A timer thread kills a hung helper so the caller's read below ends.
            let item = DispatchWorkItem { [pid = process.processIdentifier] in kill(pid, SIGKILL) }
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        var output = ""
        let errorOutput = ErrorOutputReader()
        if captureOutput {
            // stderr drains on its own thread so neither pipe can fill up and stall the command.
            if captureErrorOutput { errorOutput.start(errorPipe.fileHandleForReading) }
            output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        process.waitUntilExit()
        timer?.cancel()
        let killed = process.terminationReason == .uncaughtSignal
        let status = killed ? 128 + process.terminationStatus : process.terminationStatus
        return Result(
            status: status,
            output: output,
            errorOutput: errorOutput.finish(),
            timedOut: killed && process.terminationStatus == SIGKILL && timeout != nil
        )
    }
}

/// Reads a command's stderr to its end on a thread of its own; guarded by `lock`.
private final class ErrorOutputReader: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchGroup()
    private var text = ""

    /// Starts reading `handle` until end of file.
    func start(_ handle: FileHandle) {
        done.enter()
        let thread = Thread { [self] in
            let bytes = handle.readDataToEndOfFile()
            lock.withLock { text = String(decoding: bytes, as: UTF8.self) }
            done.leave()
        }
        thread.stackSize = 128 << 10
        thread.start()
    }

    /// Everything read, once the reader has reached end of file ("" when never started).
    func finish() -> String {
        done.wait()
        return lock.withLock { text }
    }
}
