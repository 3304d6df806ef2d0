import Foundation

/// A running sandbox fleet (scripts/sandbox.py): real sshd per node on loopback, real nodes.
///
/// ```swift
/// try await withSandbox(nodes: 3) { sandbox in
///     let node = sandbox.nodes[0]
///     // ssh -i sandbox.clientKey -p node.port sandbox.user@node.host
/// }
/// ```
public struct Sandbox: Sendable, Decodable {
    /// One node of the sandbox.
    public struct Node: Sendable, Decodable {
        /// Inventory name, such as `validator-1`.
        public var name: String
        /// `validator` or `sentry`.
        public var role: String
        /// Its loopback address.
        public var host: String
        /// Its sshd port.
        public var port: Int
        /// The node's folder (sshd config, logs).
        public var dir: String
        /// The node's `DAEMON_HOME`.
        public var home: String
        /// CometBFT RPC base URL.
        public var rpc: String
        /// The node's consensus key address.
        public var consensusAddress: String
        /// PID of its sshd.
        public var sshdPid: Int32?
        /// PID of the chain process (mockchaind or node-agent) that `up` started.
        public var chainPid: Int32?
        /// The voting power of its consensus key on the sandbox's chain (0 for a key outside the validator set).
        public var votingPower: Int?

        enum CodingKeys: String, CodingKey {
            case name, role, host, port, dir, home, rpc
            case consensusAddress = "consensus_address"
            case sshdPid = "sshd_pid"
            case chainPid = "chain_pid"
            case votingPower = "voting_power"
        }
    }

    /// A stamped mockchaind release file.
    public struct Release: Sendable, Decodable {
        /// Its path.
        public var path: String
        /// Its sha256, lowercase hex.
        public var sha256: String
    }

    /// The sandbox folder (manifest, client key, known_hosts, inventory): the operator's side.
    public var root: String
    /// The run folder that the node user can reach (nodes' sshd files and homes, releases, the agent
    /// copy), under /tmp whatever `root` is; `stop` removes it.
    public var runRoot: String
    /// The copy of the `--agent` binary that the nodes run, inside ``runRoot``.
    public var agent: String?
    /// The login user on every node.
    public var user: String
    /// The client private key shared by the fleet.
    public var clientKey: String
    /// known_hosts holding every node's real host key.
    public var knownHosts: String
    /// The Ansible INI inventory of the nodes.
    public var inventory: String
    /// `DAEMON_NAME` of every node.
    public var daemonName: String
    /// mockchaind releases by version (`v1`, `v2`, …).
    public var releases: [String: Release]
    /// The nodes, sentries first.
    public var nodes: [Node]
    /// The sandbox's one simulated chain (docs/sandbox.md).
    public var chain: Chain?

    enum CodingKeys: String, CodingKey {
        case root, user, inventory, releases, nodes, agent, chain
        case runRoot = "run_root"
        case clientKey = "client_key"
        case knownHosts = "known_hosts"
        case daemonName = "daemon_name"
    }

    /// Options for starting a sandbox.
    public struct Options: Sendable {
        /// Number of nodes.
        public var nodes: Int
        /// Number of validators (the rest are sentries); default half.
        public var validators: Int?
        /// A node-agent binary to supervise each node; the sandbox runs a copy in its run folder, so the
        /// binary may sit in a folder the node user cannot reach.
        public var agent: String?
        /// Start only sshd, no chain process.
        public var noChain: Bool
        /// Node names that share the first one's consensus key.
        public var sharedKey: [String]
        /// Block interval, e.g. `200ms`.
        public var blockInterval: String
        /// Percent of the voting power our validators hold together (`--our-power`; sandbox.py's default 50).
        public var ourPower: Double?
        /// Blocks per block interval a node behind the chain takes (`--catch-up-speed`; default 4).
        public var catchUpSpeed: Int?
        /// Releases to build, genesis first (`--versions`; default v1,v2,v2.1,v3,broken).
        public var versions: [String]?

        /// Creates options; see the properties for meanings.
        public init(
            nodes: Int,
            validators: Int? = nil,
            agent: String? = nil,
            noChain: Bool = false,
            sharedKey: [String] = [],
            blockInterval: String = "200ms",
            ourPower: Double? = nil,
            catchUpSpeed: Int? = nil,
            versions: [String]? = nil
        ) {
            self.nodes = nodes
            self.validators = validators
            self.agent = agent
            self.noChain = noChain
            self.sharedKey = sharedKey
            self.blockInterval = blockInterval
            self.ourPower = ourPower
            self.catchUpSpeed = catchUpSpeed
            self.versions = versions
        }
    }

    /// Starts a sandbox in `directory`. Throws with sandbox.py's message when anything is missing.
    public static func start(in directory: String, _ options: Options) throws -> Sandbox {
        var argv = [
            "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "up", "--dir", directory,
            "--nodes", String(options.nodes), "--block-interval", options.blockInterval, "--json",
        ]
        if let validators = options.validators { argv += ["--validators", String(validators)] }
        if let agent = options.agent { argv += ["--agent", agent] }
        if options.noChain { argv.append("--no-chain") }
        if !options.sharedKey.isEmpty { argv += ["--shared-key", options.sharedKey.joined(separator: ",")] }
        if let ourPower = options.ourPower { argv += ["--our-power", String(ourPower)] }
        if let speed = options.catchUpSpeed { argv += ["--catch-up-speed", String(speed)] }
        if let versions = options.versions { argv += ["--versions", versions.joined(separator: ",")] }
        let result = try ProcessRunner.run(argv)
        guard result.exitCode == 0 else {
            throw SandboxError(message: "sandbox.py up failed (\(result.exitCode)): \(result.errorOutput)")
        }
        return try JSONDecoder().decode(Sandbox.self, from: result.stdout)
    }

    /// Stops every process of the sandbox; throws if any is left.
    public func stop() throws {
        let result = try ProcessRunner.run([
            "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "down", "--dir", root,
        ])
        guard result.exitCode == 0 else {
            throw SandboxError(message: "sandbox.py down left processes: \(result.errorOutput)")
        }
    }

    /// The node named `name`.
    public func node(_ name: String) -> Node? { nodes.first { $0.name == name } }

    /// OpenSSH client arguments that reach `node` with strict host-key checking.
    public func sshArguments(_ node: Node) -> [String] {
        [
            "/usr/bin/ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(knownHosts)", "-o", "LogLevel=ERROR", "-i", clientKey,
            "-p", String(node.port), "\(user)@\(node.host)",
        ]
    }
}

/// A sandbox could not be started or stopped.
public struct SandboxError: Error, CustomStringConvertible {
    /// What went wrong, in sandbox.py's words.
    public var message: String
    public var description: String { message }

    /// An error with `message`.
    public init(message: String) { self.message = message }
}

/// Starts a sandbox, runs `body`, and always stops the sandbox (which removes its run folder).
///
/// - Parameter folder: the sandbox folder (manifest, client key, inventory), which may be private to this
///   user; by default a fresh temporary folder, removed afterwards.
public func withSandbox<T>(
    _ options: Sandbox.Options,
    in folder: String? = nil,
    _ body: (Sandbox) async throws -> T
) async throws -> T {
    guard let folder else {
        return try await withTemporaryDirectory("fleet-sandbox") { directory in
            try await withSandbox(options, in: directory, body)
        }
    }
    let sandbox: Sandbox
    do {
        sandbox = try await runOffPool { try Sandbox.start(in: folder, options) }
    } catch {
        _ = try? await runOffPool {
            try ProcessRunner.run(["/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "down", "--dir", folder])
        }
        throw error
    }
    do {
        let value = try await body(sandbox)
        try await runOffPool { try sandbox.stop() }
        return value
    } catch {
        try? await runOffPool { try sandbox.stop() }
        throw error
    }
}
