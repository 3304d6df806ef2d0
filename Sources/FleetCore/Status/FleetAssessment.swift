/// The pure check of a whole fleet's state: observations in, findings out.
///
/// Every finding is computed over all nodes at once, so drift between nodes is visible:
///
/// | kind | severity | when |
/// |---|---|---|
/// | `unreachable` | error | a node could not be read |
/// | `hash_drift` | error | one upgrade name is staged with different sha256 on different nodes |
/// | `current_drift` | warning | nodes of one role select different directories with `current` |
/// | `current_invalid` | error | `current` dangles, names a file or points outside the layout |
/// | `plan_without_binary` | error | a plan is pending, its binary is not staged and downloads are off |
/// | `not_executable` | error | a staged binary has no execute bit |
/// | `agent_not_running` | warning | an agent is installed but not running |
/// | `settings_drift` | warning | agents run with different values of a fleet-wide setting |
/// | `catching_up` | warning | the node's RPC says it is catching up |
/// | `lagging` | warning | the node is more than `lagThreshold` blocks behind the highest node |
/// | `double_sign_risk` | critical | two running nodes use one consensus key address |
public struct FleetAssessment: Sendable, Equatable {
    /// Tunables of the assessment.
    public struct Policy: Sendable, Equatable {
        /// Blocks a node may trail the highest node before it is flagged.
        public var lagThreshold: Int64
        /// Agent settings that must agree across the fleet.
        public var fleetWideSettings: [String]

        /// The defaults: 10 blocks, and the settings that change upgrade behaviour.
        public init(
            lagThreshold: Int64 = 10,
            fleetWideSettings: [String] = [
                "daemon_name", "daemon_allow_download_binaries", "daemon_download_must_have_checksum",
                "daemon_restart_after_upgrade", "daemon_restart_delay", "daemon_shutdown_grace",
                "daemon_poll_interval", "unsafe_skip_backup", "daemon_preupgrade_max_retries",
                "cosmovisor_disable_recase",
            ]
        ) {
            self.lagThreshold = lagThreshold
            self.fleetWideSettings = fleetWideSettings
        }
    }

    /// The findings, most severe first, then in check order.
    public var findings: [FleetFinding]

    /// Assesses `observations` (in inventory order).
    public init(_ observations: [HostObservation], policy: Policy = .init()) {
        var found: [FleetFinding] = []
        found += Self.unreachable(observations)
        found += Self.hashDrift(observations)
        found += Self.currentDrift(observations)
        found += Self.currentInvalid(observations)
        found += Self.planWithoutBinary(observations)
        found += Self.notExecutable(observations)
        found += Self.agentNotRunning(observations)
        found += Self.settingsDrift(observations, keys: policy.fleetWideSettings)
        found += Self.syncing(observations, lagThreshold: policy.lagThreshold)
        found += Self.doubleSign(observations)
        findings = found.enumerated()
            .sorted { ($0.element.severity, -$0.offset) > ($1.element.severity, -$1.offset) }
            .map(\.element)
    }

    /// The process exit code for `fleet status`: 3 on a critical finding, 1 if a node was unreachable, else 0.
    public var exitCode: Int32 {
        if findings.contains(where: { $0.severity == .critical }) { return 3 }
        if findings.contains(where: { $0.kind == .unreachable }) { return 1 }
        return 0
    }

    // MARK: - checks

    private static func unreachable(_ all: [HostObservation]) -> [FleetFinding] {
        all.filter { !$0.reachable }.map {
            FleetFinding(
                severity: .error, kind: .unreachable, hosts: [$0.host],
                message: "\($0.host) could not be read: \($0.error ?? "no answer")"
            )
        }
    }

    private static func hashDrift(_ all: [HostObservation]) -> [FleetFinding] {
        var byName: [String: [(host: String, sha: String)]] = [:]
        var order: [String] = []
        for observation in all {
            for binary in observation.status?.binaries ?? [] {
                guard let sha = binary.sha256 else { continue }
                if byName[binary.name] == nil { order.append(binary.name) }
                byName[binary.name, default: []].append((observation.host, sha))
            }
        }
        return order.compactMap { name in
            let entries = byName[name] ?? []
            let groups = orderedGroups(entries.map { ($0.sha, $0.host) })
            guard groups.count > 1 else { return nil }
            let detail = groups.map { "\($0.key.prefix(12))… on \($0.hosts.joined(separator: ", "))" }
            return FleetFinding(
                severity: .error, kind: .hashDrift, hosts: entries.map(\.host),
                message:
                    "\"\(name)\" is staged with \(groups.count) different sha256: \(detail.joined(separator: "; "))"
            )
        }
    }

    private static func currentDrift(_ all: [HostObservation]) -> [FleetFinding] {
        let roles = orderedGroups(all.filter(\.reachable).map { ($0.role, $0.host) })
        return roles.compactMap { role in
            let members = all.filter { $0.reachable && $0.role == role.key }
            // What `current` selects, not how the link is spelled: `upgrades/v2` and an absolute
            // `/home/x/.gaia/cosmovisor/upgrades/v2` left by cosmovisor ≤ 1.6 are the same.
            let targets = orderedGroups(members.map { (Self.selected($0.status?.current), $0.host) })
            guard targets.count > 1 else { return nil }
            let detail = targets.map { "\($0.key) on \($0.hosts.joined(separator: ", "))" }
            return FleetFinding(
                severity: .warning, kind: .currentDrift, hosts: members.map(\.host),
                message: "\(role.key) nodes disagree on current: \(detail.joined(separator: "; "))"
            )
        }
    }

    /// `genesis`, `upgrades/<name>`, `(unusable)` or `(missing)`.
    private static func selected(_ current: NodeStatus.CurrentLink?) -> String {
        guard let current else { return "(missing)" }
        if current.error != nil { return "(unusable)" }
        return current.upgrade.map { "upgrades/" + $0 } ?? CosmovisorLayout.genesisLinkTarget
    }

    private static func currentInvalid(_ all: [HostObservation]) -> [FleetFinding] {
        all.compactMap { observation in
            guard let error = observation.status?.current.error else { return nil }
            return FleetFinding(
                severity: .error, kind: .currentInvalid, hosts: [observation.host],
                message: "\(observation.host): current is unusable, the node cannot start: \(error)"
            )
        }
    }

    private static func planWithoutBinary(_ all: [HostObservation]) -> [FleetFinding] {
        all.compactMap { observation in
            guard let status = observation.status, let plan = status.pendingPlan, !plan.binaryStaged else { return nil }
            let downloads = status.agent?.settings["daemon_allow_download_binaries"] == "true"
            guard !downloads else { return nil }
            return FleetFinding(
                severity: .error, kind: .planWithoutBinary, hosts: [observation.host],
                message: "\(observation.host) has plan \"\(plan.name)\" at height \(plan.height) pending, "
                    + "no binary staged for it and downloads off: stage it with `fleet stage \(plan.name) FILE`"
            )
        }
    }

    private static func notExecutable(_ all: [HostObservation]) -> [FleetFinding] {
        all.compactMap { observation in
            let bad = (observation.status?.binaries ?? []).filter { $0.path != nil && !$0.executable }
            guard !bad.isEmpty else { return nil }
            return FleetFinding(
                severity: .error, kind: .notExecutable, hosts: [observation.host],
                message: "\(observation.host): staged binary not executable: "
                    + bad.map { $0.path ?? $0.name }.joined(separator: ", ")
            )
        }
    }

    private static func agentNotRunning(_ all: [HostObservation]) -> [FleetFinding] {
        all.compactMap { observation in
            guard let agent = observation.status?.agent, !agent.running else { return nil }
            return FleetFinding(
                severity: .warning, kind: .agentNotRunning, hosts: [observation.host],
                message: "\(observation.host): node-agent \(agent.version) is installed but not running"
            )
        }
    }

    private static func settingsDrift(_ all: [HostObservation], keys: [String]) -> [FleetFinding] {
        keys.compactMap { key in
            let values = all.compactMap { observation in
                observation.status?.agent?.settings[key].map { ($0, observation.host) }
            }
            let groups = orderedGroups(values)
            guard groups.count > 1 else { return nil }
            let detail = groups.map { "\($0.key) on \($0.hosts.joined(separator: ", "))" }
            return FleetFinding(
                severity: .warning, kind: .settingsDrift, hosts: values.map(\.1),
                message: "agents disagree on \(key): \(detail.joined(separator: "; "))"
            )
        }
    }

    private static func syncing(_ all: [HostObservation], lagThreshold: Int64) -> [FleetFinding] {
        let heights = all.compactMap { $0.status?.chain?.height }
        let top = heights.max() ?? 0
        var found: [FleetFinding] = []
        for observation in all {
            guard let chain = observation.status?.chain else { continue }
            if chain.catchingUp == true {
                found.append(
                    FleetFinding(
                        severity: .warning, kind: .catchingUp, hosts: [observation.host],
                        message: "\(observation.host) is catching up (height \(chain.height.map(String.init) ?? "?"))"
                    )
                )
            } else if let height = chain.height, top - height > lagThreshold {
                found.append(
                    FleetFinding(
                        severity: .warning, kind: .lagging, hosts: [observation.host],
                        message:
                            "\(observation.host) is at height \(height), \(top - height) blocks behind the fleet (\(top))"
                    )
                )
            }
        }
        return found
    }

    private static func doubleSign(_ all: [HostObservation]) -> [FleetFinding] {
        let running = all.compactMap { observation -> (String, String)? in
            guard observation.nodeRunning, let address = observation.status?.consensus.address, !address.isEmpty
            else { return nil }
            return (address, observation.host)
        }
        return orderedGroups(running).filter { $0.hosts.count > 1 }.map { group in
            FleetFinding(
                severity: .critical, kind: .doubleSignRisk, hosts: group.hosts,
                message: "DOUBLE-SIGN RISK: \(group.hosts.joined(separator: " and ")) are running with the same "
                    + "consensus key \(group.key); stop all but one now"
            )
        }
    }

    /// Groups (key, host) pairs by key, keeping first-seen order of keys and hosts.
    private static func orderedGroups(_ pairs: [(String, String)]) -> [(key: String, hosts: [String])] {
        var result: [(key: String, hosts: [String])] = []
        for (key, host) in pairs {
            if let index = result.firstIndex(where: { $0.key == key }) {
                result[index].hosts.append(host)
            } else {
                result.append((key, [host]))
            }
        }
        return result
    }
}
