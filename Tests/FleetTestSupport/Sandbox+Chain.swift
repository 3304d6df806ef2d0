import Foundation

extension Sandbox {
    /// The sandbox's one simulated chain, as `sandbox.py up` recorded it (`chain` in sandbox.json).
    public struct Chain: Sendable, Decodable {
        /// One member of the validator set.
        public struct Validator: Sendable, Decodable {
            /// A node name for ours (`validator-1`), `other-N` for a simulated validator of another operator.
            public var name: String
            /// Its consensus address (uppercase hex, 20 bytes).
            public var address: String
            /// Its voting power.
            public var power: Int
            /// Whether it is a simulated validator of another operator (always up).
            public var simulated: Bool
        }

        /// The chain's folder (chain.json, state.json, chain.lock, nodes/).
        public var dir: String
        /// Percent of the power our validators hold together.
        public var ourPowerPercent: Double
        /// The power of the whole validator set.
        public var totalPower: Int
        /// The validator set, ours first.
        public var validators: [Validator]

        enum CodingKeys: String, CodingKey {
            case dir, validators
            case ourPowerPercent = "our_power_percent"
            case totalPower = "total_power"
        }
    }

    /// What `sandbox.py chain` reports: the chain's state and who runs.
    public struct ChainReport: Sendable, Decodable {
        /// An upgrade the chain applied.
        public struct Applied: Sendable, Decodable, Equatable {
            /// The plan's name.
            public var name: String
            /// The height it was applied at (the first block made by the new release).
            public var height: Int

            /// An applied upgrade.
            public init(name: String, height: Int) {
                self.name = name
                self.height = height
            }
        }

        /// The chain's height (its last committed block).
        public var height: Int
        /// Whether the chain waits for > 2/3 of the power (no quorum at the last attempt).
        public var stalled: Bool
        /// The upgrades it applied, in order.
        public var applied: [Applied]
        /// The name of the pending governance plan, if any.
        public var planName: String?

        enum CodingKeys: String, CodingKey { case height, stalled, applied, plan }
        enum PlanKeys: String, CodingKey { case name }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            height = try container.decode(Int.self, forKey: .height)
            stalled = try container.decode(Bool.self, forKey: .stalled)
            applied = try container.decode([Applied].self, forKey: .applied)
            let plan = try? container.nestedContainer(keyedBy: PlanKeys.self, forKey: .plan)
            planName = try plan?.decode(String.self, forKey: .name)
        }
    }

    /// `sandbox.py <command> --dir <root> <arguments>`, run off the cooperative pool.
    public func script(_ command: String, _ arguments: [String] = []) async throws -> CommandResult {
        try await ProcessRunner.runAsync(
            ["/usr/bin/python3", TestPaths.scripts + "/sandbox.py", command, "--dir", root] + arguments
        )
    }

    /// `sandbox.py chain`: the chain's height, stall, plan and applied upgrades.
    public func chainReport() async throws -> ChainReport {
        let result = try await script("chain")
        guard result.exitCode == 0 else { throw SandboxError(message: "sandbox.py chain: \(result.errorOutput)") }
        return try JSONDecoder().decode(ChainReport.self, from: result.stdout)
    }

    /// `sandbox.py stop-node`: TERM (then KILL), or KILL at once with `kill`.
    public func stopNodes(_ names: [String], kill: Bool = false) async throws {
        let result = try await script("stop-node", names + (kill ? ["--kill"] : []))
        guard result.exitCode == 0 else {
            throw SandboxError(message: "sandbox.py stop-node \(names): \(result.errorOutput)")
        }
    }

    /// `sandbox.py start-node`: starts the nodes again through `cosmovisor/current` (or the agent); the
    /// result says whether each one came up (exit 1 with its log when a node exits at start).
    public func startNodes(_ names: [String]) async throws -> CommandResult {
        try await script("start-node", names)
    }

    /// `sandbox.py propose NAME HEIGHT`: a governance plan for the whole chain.
    public func propose(_ name: String, at height: Int) async throws -> CommandResult {
        try await script("propose", [name, String(height)])
    }

    /// `sandbox.py propose NAME +BLOCKS`: a governance plan `blocks` past the chain's height (taken under the
    /// chain's lock, so never in the past); returns the plan's height.
    public func propose(_ name: String, blocksAhead blocks: Int) async throws -> Int {
        let result = try await script("propose", [name, "+\(blocks)"])
        guard result.exitCode == 0,
            let height = result.output.split(separator: " ").last.flatMap({ Int($0.dropLast()) })
        else {
            throw SandboxError(message: "sandbox.py propose \(name) +\(blocks): \(result.output)\(result.errorOutput)")
        }
        return height
    }

    /// Copies release `version` to `<home>/cosmovisor/upgrades/<directory>/bin/<daemon>` on every node in
    /// `names` (all when `nil`), owned by the node user, as `fleet stage` would leave it.
    public func stage(_ version: String, as directory: String? = nil, on names: [String]? = nil) throws {
        let fm = FileManager.default
        for node in nodes where names?.contains(node.name) ?? true {
            let owner = try Self.owner(of: node.home)
            let upgrade = node.home + "/cosmovisor/upgrades/" + (directory ?? version)
            let target = upgrade + "/bin/" + daemonName
            try fm.createDirectory(atPath: upgrade + "/bin", withIntermediateDirectories: true)
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.copyItem(atPath: releases[version]!.path, toPath: target)
            for path in [upgrade, upgrade + "/bin", target] { chown(path, owner.uid, owner.gid) }
        }
    }

    /// Points `<home>/cosmovisor/current` of node `name` at `target` (`genesis` or `upgrades/<name>`).
    public func switchCurrent(_ name: String, to target: String) throws {
        let home = node(name)!.home
        let current = home + "/cosmovisor/current"
        try? FileManager.default.removeItem(atPath: current)
        try FileManager.default.createSymbolicLink(atPath: current, withDestinationPath: target)
        let owner = try Self.owner(of: home)
        lchown(current, owner.uid, owner.gid)
    }

    private static func owner(of path: String) throws -> (uid: uid_t, gid: gid_t) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SandboxError(message: "stat \(path): errno \(errno)") }
        return (info.st_uid, info.st_gid)
    }

    /// data/blocks.log of node `name`: `height version ms [commit|follow|catchup]` per line.
    public func blocks(_ name: String) throws -> [(height: Int, version: String, how: String?)] {
        try String(contentsOfFile: node(name)!.home + "/data/blocks.log", encoding: .utf8)
            .split(separator: "\n")
            .compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count >= 2, let height = Int(parts[0]) else { return nil }
                return (height, String(parts[1]), parts.count >= 4 ? String(parts[3]) : nil)
            }
    }
}
