import Foundation

/// Runs a short helper command (`<app> version`, `tar`, `unzip`) to completion, with an optional time limit.
///
/// Blocks the calling thread until the command ends: from async code, run it through ``BlockingWork``.
enum ChildCommand {
    /// What the command did.
    struct Result {
        /// Exit status, or 128 + signal.
        var status: Int32
        /// Captured stdout (empty when not captured).
        var output: String
        /// Whether the time limit killed it.
        var timedOut: Bool
    }

    /// Runs `executable arguments…`.
    ///
    /// - Parameters:
    ///   - captureOutput: capture stdout (stderr is discarded then); otherwise both are inherited.
    ///   - timeout: kill the command (SIGKILL) after this long.
    /// - Throws: ``CommandFailure`` when it cannot be started.
    static func run(
        _ executable: String,
        _ arguments: [String],
        captureOutput: Bool,
        timeout: Duration? = nil
    ) throws(CommandFailure) -> Result {
        // A binary written a moment ago can still be held open for writing by a process that forked
        // meanwhile (ETXTBSY); a few short retries, each with a fresh Process, outlast that window.
        var attempt = 0
        var launched: (Process, Pipe)?
        while launched == nil {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let pipe = Pipe()
            if captureOutput {
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
            }
            do {
                try process.run()
                launched = (process, pipe)
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
        guard let (process, pipe) = launched else { throw CommandFailure("launching \(executable) failed") }
        let timer = timeout.map { limit -> DispatchWorkItem in
            // A timer thread kills a hung helper so the caller's read below ends.
            let item = DispatchWorkItem { [pid = process.processIdentifier] in kill(pid, SIGKILL) }
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        var output = ""
        if captureOutput {
            output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        process.waitUntilExit()
        timer?.cancel()
        let killed = process.terminationReason == .uncaughtSignal
        let status = killed ? 128 + process.terminationStatus : process.terminationStatus
        return Result(
            status: status,
            output: output,
            timedOut: killed && process.terminationStatus == SIGKILL && timeout != nil
        )
    }
}
