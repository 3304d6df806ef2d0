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
    /// Starts `executable` with stdin, stdout and stderr on `/dev/null`, runs `body`, then kills and reaps it.
    public static func with<T>(
        _ executable: String,
        _ arguments: [String],
        _ body: (Process) async throws -> T
    ) async throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
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
