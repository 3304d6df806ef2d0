import Foundation

/// One simulated node (scripts/mockchaind.py) in a folder of its own: releases v1, v2, v2.1 (a patch of v2), v3
/// and `broken` (fails at start) stamped, a home
/// initialised with v1, and a loopback RPC port. The real node RPC for tests (`/status`, `/abci_query`).
///
/// ```swift
/// let chain = try await Mockchain.prepared(in: dir)
/// try await chain.run("v1", ["propose-upgrade", "v2", "40", "--home", chain.home])
/// try await chain.serving { … GET chain.rpc + "/status" … }
/// ```
public struct Mockchain: Sendable {
    /// The node's home (`--home`, `DAEMON_HOME`).
    public var home: String
    /// The release files by version (`v1`, `v2`, `v2.1`, `v3`, `broken`): distinct files printing their own version.
    public var releases: [String: String]
    /// The loopback port its RPC listens on while it runs.
    public var port: Int

    /// `http://127.0.0.1:<port>`.
    public var rpc: String { "http://127.0.0.1:\(port)" }

    /// Stamps the releases into `directory/releases` and runs `init` with v1 into `directory/home`.
    public init(in directory: String, blockInterval: String = "20ms") throws {
        let out = directory + "/releases"
        let built = try ProcessRunner.run([
            "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "build-versions", "--out", out,
        ])
        guard built.exitCode == 0 else {
            throw SandboxError(message: "sandbox.py build-versions failed: \(built.errorOutput)")
        }
        releases = Dictionary(
            uniqueKeysWithValues: ["v1", "v2", "v2.1", "v3", "broken"].map { ($0, out + "/\($0)/mockchaind") })
        home = directory + "/home"
        port = try TestPorts.free()
        let initialised = try ProcessRunner.run([
            releases["v1"]!, "init", "node0", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)",
            "--block-interval", blockInterval,
        ])
        guard initialised.exitCode == 0 else {
            throw SandboxError(message: "mockchaind init failed: \(initialised.errorOutput)")
        }
    }

    /// ``init(in:blockInterval:)`` off the cooperative pool (it builds the releases and runs `init`).
    public static func prepared(in directory: String, blockInterval: String = "20ms") async throws -> Mockchain {
        try await runOffPool { try Mockchain(in: directory, blockInterval: blockInterval) }
    }

    /// Runs release `version` with `arguments` to completion.
    public func run(_ version: String, _ arguments: [String]) async throws -> CommandResult {
        try await ProcessRunner.runAsync([releases[version]!] + arguments)
    }

    /// The same node answering on another free port: a restarted node takes a fresh port, since the old one
    /// may meanwhile be the local port of some other test's outgoing connection.
    public func onFreshPort() throws -> Mockchain {
        var moved = self
        moved.port = try TestPorts.free()
        return moved
    }

    /// Runs `body` while release `version` runs `start --home <home> --rpc-laddr 127.0.0.1:<port> <arguments>`
    /// and answers on ``rpc``; the node is killed and reaped afterwards, also when `body` throws.
    public func serving<T>(
        _ version: String = "v1",
        _ arguments: [String] = [],
        _ body: () async throws -> T
    ) async throws -> T {
        let start = ["start", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)"] + arguments
        let log = home + "/mockchaind.log"
        return try await BackgroundProcess.with(releases[version]!, start, log: log) { process in
            try await waitUntil("mockchaind \(version) to answer on \(rpc)") {
                guard process.isRunning else {
                    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw SandboxError(
                        message: "mockchaind \(version) exited (\(process.terminationStatus)): \(output.suffix(2000))"
                    )
                }
                return TestPorts.accepts(port: port)
            }
            return try await body()
        }
    }
}
