import Foundation

/// A real HTTP server for download tests: `python3 -m http.server` serving one directory on loopback.
///
/// Query strings are ignored by the server (`/x?checksum=…` serves the file `x`); a missing file is a 404.
public struct StaticHTTPServer: Sendable {
    /// The loopback port it listens on (from ``TestPorts``).
    public let port: Int

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Runs `body` while a server serves `directory`; the server is always stopped (and reaped) afterwards,
    /// also when `body` throws.
    public static func serving<T>(
        _ directory: String,
        _ body: (StaticHTTPServer) async throws -> T
    ) async throws -> T {
        let port = try TestPorts.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let result: Result<T, any Error>
        do {
            try await waitUntilAccepting(port: port, process: process)
            result = .success(try await body(StaticHTTPServer(port: port)))
        } catch {
            result = .failure(error)
        }
        // SIGKILL, not SIGTERM: Foundation's Process hands the spawning thread's signal mask to the child,
        // and the pool threads block SIGTERM, so the server would never hear it.
        kill(process.processIdentifier, SIGKILL)
        try await runOffPool { process.waitUntilExit() }
        return try result.get()
    }

    /// Polls until a TCP connection to the port succeeds (at most 20 s), failing early if the server died.
    private static func waitUntilAccepting(port: Int, process: Process) async throws {
        for _ in 0..<400 {
            if !process.isRunning {
                throw SandboxError(message: "python3 -m http.server exited before listening on port \(port)")
            }
            if TestPorts.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SandboxError(message: "python3 -m http.server did not listen on port \(port) within 20 s")
    }
}
