import Dispatch
import FleetCore
import Foundation
import Synchronization

/// Builds the ``NodeStatus`` document `node-agent status` prints, from disk, the RPC and the state file.
///
/// Every source is optional: a missing link, binary, plan, key or RPC answer gives `nil` fields (and an
/// `error` for the RPC), never a failure of the whole report.
struct NodeStatusCollector {
    /// The agent's configuration.
    var configuration: AgentConfiguration
    /// The clock (for `collected_at` and the child's uptime).
    var now: @Sendable () -> Date = { Date() }
    /// Where binaries' sha256 and versions are remembered (shared with `fleet status`'s probe).
    var cache: BinaryFactsCache = .forCurrentUser()
    /// The running agent's own record (its memory, not the file): set when the agent itself answers.
    var runtime: AgentRuntimeState? = nil

    /// Collects the document.
    func collect() async -> NodeStatus {
        let layout = configuration.layout
        async let chain = ChainRPCClient(baseURL: configuration.rpcURL).status()
        let facts = await facts(layout)
        let (agent, child) = agentAndChild()
        return NodeStatus(
            collectedAt: AgentRuntimeState.timestamp(now()),
            agent: agent,
            daemonName: configuration.name,
            daemonHome: configuration.home,
            current: facts.current,
            binaries: facts.binaries,
            pendingPlan: facts.pendingPlan,
            child: child,
            chain: await chain,
            consensus: ConsensusIdentity.read(layout),
            disk: disk(),
            source: runtime == nil ? .stateFile : .agent
        )
    }

    /// `genesis` then every `upgrades/*` directory, sorted by name.
    ///
    /// The binaries are hashed and asked for their `version` in parallel: each `version` is a process
    /// start, the slowest part of a status report.
    func stagedBinaries(_ layout: CosmovisorLayout) async -> [NodeStatus.StagedBinary] {
        var candidates: [(name: String, path: String)] = []
        if FileManager.default.fileExists(atPath: layout.genesisDirectory) {
            candidates.append((CosmovisorLayout.genesisLinkTarget, layout.genesisBinary))
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.upgradesDirectory)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let directory = layout.upgradesDirectory + "/" + name
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                continue
            }
            candidates.append((name, directory + "/bin/" + layout.daemonName))
        }
        let cache = cache
        return await withTaskGroup(of: (Int, NodeStatus.StagedBinary).self) { group in
            for (index, candidate) in candidates.enumerated() {
                group.addTask {
                    (index, await BinaryInspector.inspect(name: candidate.name, path: candidate.path, cache: cache))
                }
            }
            var results: [(Int, NodeStatus.StagedBinary)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The staged binaries, and what FleetCore's ``NodeFacts`` (the derivation `fleet status`'s probe uses
    /// too) makes of them, `current` and the two plan files.
    func facts(
        _ layout: CosmovisorLayout
    ) async -> (
        current: NodeStatus.CurrentLink, binaries: [NodeStatus.StagedBinary], pendingPlan: NodeStatus.PlanInfo?
    ) {
        let binaries = await stagedBinaries(layout)
        let facts = NodeFacts(
            layout: layout,
            current: CurrentLinkObservation.read(layout.current),
            binaries: binaries,
            plan: (try? AtomicFile.read(layout.upgradeInfoFile)) ?? nil,
            appliedRecord: (try? AtomicFile.read(layout.currentUpgradeRecord)) ?? nil,
            disableRecase: configuration.disableRecase
        )
        return (facts.current, binaries, facts.pendingPlan)
    }

    /// The agent record, and the child record when a live agent wrote the state file (or is ``runtime``).
    func agentAndChild() -> (NodeStatus.AgentInfo, NodeStatus.ChildInfo?) {
        let state = runtime ?? (try? AgentRuntimeState.read(from: configuration.effectiveStateFile))
        guard let state, runtime != nil || ProcessIdentity.isRunningAgent(state, layout: configuration.layout) else {
            return (
                NodeStatus.AgentInfo(version: FleetVersion.current, running: false, settings: configuration.settings),
                nil
            )
        }
        let agent = NodeStatus.AgentInfo(
            version: state.version,
            running: true,
            pid: state.pid,
            startedAt: state.startedAt,
            settings: state.settings.isEmpty ? configuration.settings : state.settings
        )
        let started = state.child.startedAt.flatMap { try? Date($0, strategy: .iso8601) }
        let child = NodeStatus.ChildInfo(
            pid: state.child.pid,
            startedAt: state.child.startedAt,
            uptimeSeconds: state.child.pid == nil ? nil : started.map { max(0, now().timeIntervalSince($0)) },
            starts: state.child.starts,
            upgradesApplied: state.child.upgradesApplied,
            state: state.child.state
        )
        return (agent, child)
    }

    /// Free and total bytes of the file system holding `DAEMON_HOME` (`statvfs`).
    func disk() -> NodeStatus.DiskInfo? {
        var info = statvfs()
        guard statvfs(configuration.home, &info) == 0 else { return nil }
        let unit = Int64(info.f_frsize)
        return NodeStatus.DiskInfo(freeBytes: Int64(info.f_bavail) * unit, totalBytes: Int64(info.f_blocks) * unit)
    }
}
