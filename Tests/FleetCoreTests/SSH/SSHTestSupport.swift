import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Helpers shared by the SSH suites: targets for sandbox nodes, local processes, fingerprints.
enum SSHTestSupport {
    /// `withSandbox(.init(nodes: count, noChain: true))`: nodes without chains, started and stopped off the
    /// cooperative pool.
    static func withNodes<T: Sendable>(_ count: Int, _ body: (Sandbox) async throws -> T) async throws -> T {
        try await withSandbox(.init(nodes: count, noChain: true), body)
    }

    /// A strict target for `node` with the sandbox's client key and known_hosts.
    static func target(
        _ sandbox: Sandbox,
        _ node: Sandbox.Node,
        knownHosts: String? = nil,
        keys: [String]? = nil,
        policy: HostKeyPolicy = .strict,
        agent: String? = nil
    ) -> SSHTarget {
        SSHTarget(
            host: node.host, port: node.port, user: sandbox.user, identityFiles: keys ?? [sandbox.clientKey],
            knownHostsFile: knownHosts ?? sandbox.knownHosts, hostKeyPolicy: policy,
            connectTimeout: .seconds(10), operationTimeout: .seconds(30), agentSocket: agent)
    }

    /// Runs a local command and requires exit 0; returns stdout.
    @discardableResult
    static func sh(_ argv: [String], environment: [String: String] = [:]) throws -> String {
        let result = try ProcessRunner.run(argv, environment: environment)
        try #require(result.exitCode == 0, "\(argv) failed: \(result.errorOutput)")
        return result.output
    }

    /// The `SHA256:…` fingerprint `ssh-keygen -lf` prints for a public key file.
    static func fingerprint(ofPublicKey path: String) throws -> String {
        let line = try sh(["ssh-keygen", "-lf", path])
        return String(line.split(separator: " ")[1])
    }

    /// The node's host public key line (`type base64`).
    static func hostKeyText(_ node: Sandbox.Node) throws -> String {
        let text = try String(contentsOfFile: node.dir + "/ssh_host_ed25519_key.pub", encoding: .utf8)
        return text.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Creates a new ed25519 (or other) key pair in `directory` and returns the private key path.
    static func makeKey(
        in directory: String, name: String, type: String = "ed25519", passphrase: String = ""
    ) throws -> String {
        let path = directory + "/" + name
        try sh(["ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", name, "-f", path])
        return path
    }

    /// Adds a public key to the node's authorized_keys.
    static func authorize(_ privateKey: String, on node: Sandbox.Node) throws {
        let pub = try String(contentsOfFile: privateKey + ".pub", encoding: .utf8)
        let handle = try #require(FileHandle(forWritingAtPath: node.dir + "/authorized_keys"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(pub.utf8))
    }

    /// Writes a file and returns its path.
    @discardableResult
    static func write(_ text: String, to path: String) throws -> String {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every live descendant of `root` (children, grandchildren, …).
    static func descendants(of root: Int32) -> [Int32] { ProcessProbe.descendants(of: root) }
}
