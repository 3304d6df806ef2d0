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
        return try await BackgroundProcess.with(
            "/usr/bin/python3",
            ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory]
        ) { process in
            try await waitUntilAccepting(port: port, process: process)
            return try await body(StaticHTTPServer(port: port))
        }
    }

    /// Polls until a TCP connection to the port succeeds (at most 20 s), failing early if the server died.
    private static func waitUntilAccepting(port: Int, process: Process) async throws {
        try await waitUntil("python3 -m http.server to listen on port \(port)") {
            guard process.isRunning else {
                throw SandboxError(message: "python3 -m http.server exited before listening on port \(port)")
            }
            return TestPorts.accepts(port: port)
        }
    }
}
