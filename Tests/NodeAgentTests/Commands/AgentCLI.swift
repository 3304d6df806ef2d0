import FleetTestSupport
import Foundation
import Testing

/// Runs the built `node-agent` binary with a clean environment (`env -i`), as an operator would.
struct AgentCLI {
    /// Settings that make log lines exact: no colour, no timestamp.
    static let plainLogs = ["COSMOVISOR_COLOR_LOGS": "false", "COSMOVISOR_TIMEFORMAT_LOGS": ""]

    /// The built binary.
    static var binary: String { TestPaths.product("node-agent") }

    /// Runs `program arguments…` (the binary, or a link to it) with exactly `environment` plus `PATH`.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil,
        program: String? = nil
    ) async throws -> CommandResult {
        var argv = ["/usr/bin/env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin"]
        argv += environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        argv.append(program ?? binary)
        argv += arguments
        return try await ProcessRunner.runAsync(argv, input: input.map { Data($0.utf8) })
    }

    /// Writes an executable POSIX shell script fixture.
    static func script(_ path: String, _ body: String, mode: Int = 0o755) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        // O_CLOEXEC: a write descriptor inherited by a process another test spawns at the same moment
        // would make executing this file fail with ETXTBSY for that process's whole life.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// The permission bits of a file.
    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}
