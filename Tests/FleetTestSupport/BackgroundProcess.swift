public import Foundation

/// A helper process that runs beside a test (a chain, an ssh-agent, an HTTP server) and is always killed and
/// reaped when the test's body ends, also when it throws.
///
/// SIGKILL, not SIGTERM: Foundation's `Process` hands the spawning thread's signal mask to the child, and the
/// test runner's threads block SIGTERM, so the child would never hear it. The reap runs off the cooperative
/// pool.
///
/// ```swift
/// try await BackgroundProcess.with("/usr/bin/ssh-agent", ["-D", "-a", socket]) { agent in … }
/// ```
public enum BackgroundProcess {
    /// Starts `executable` with stdin on `/dev/null` and stdout and stderr appended to `log` (else
    /// `/dev/null`), runs `body`, then kills and reaps it.
    public static func with<T>(
        _ executable: String,
        _ arguments: [String],
        log: String? = nil,
        _ body: (Process) async throws -> T
    ) async throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        var output = FileHandle.nullDevice
        if let log {
            let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 { output = FileHandle(fileDescriptor: fd, closeOnDealloc: true) }
        }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let result: Result<T, any Error>
        do {
            result = .success(try await body(process))
        } catch {
            result = .failure(error)
        }
        kill(process.processIdentifier, SIGKILL)
        try await runOffPool { process.waitUntilExit() }
        return try result.get()
    }
}
