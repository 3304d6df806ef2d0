import Foundation

/// Runs a short helper command (`<app> version`) to completion, with an optional time limit.
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
        } catch {
            throw CommandFailure(
                "launching process \(([executable] + arguments).joined(separator: " ")) failed: \(error.localizedDescription)"
            )
        }
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
