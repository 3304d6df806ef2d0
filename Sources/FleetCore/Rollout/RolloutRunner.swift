import Foundation
public import Logging

/// The I/O shell of `fleet rollout` and `fleet rollback`: reads nodes over SSH (``RolloutProbe``), runs a
/// ``RolloutPlan`` step by step (switch through the agent's control channel, then the ``RolloutGate``), and
/// on a failed gate switches the failed node back and checks it is healthy again. Nothing after a failed
/// step runs. Before a step that starts a validator, ``DoubleSignInterlock`` is checked over every node.
public struct RolloutRunner: Sendable {
    /// Every host read for the interlock and the fleet's highest height (the whole inventory).
    public var hosts: [InventoryHost]
    /// The SSH target of a host.
    public var target: @Sendable (InventoryHost) -> SSHTarget
    /// Hosts read at once.
    public var maxConcurrent: Int
    /// The gate's thresholds.
    public var policy: RolloutGate.Policy
    /// Who asks, recorded by each agent with its switch (`fleet rollout v2 (alice@laptop)`).
    public var by: String
    /// Time between two polls of a gate.
    public var pollInterval: Duration
    /// The most one read of one node may take.
    public var readTimeout: Duration
    /// Receives SSH steps at debug level.
    public var logger: Logger

    /// Creates a runner.
    public init(
        hosts: [InventoryHost], target: @escaping @Sendable (InventoryHost) -> SSHTarget, maxConcurrent: Int,
        policy: RolloutGate.Policy, by: String, pollInterval: Duration = .milliseconds(500),
        readTimeout: Duration = .seconds(30), logger: Logger = SSHConnection.silentLogger
    ) {
        self.hosts = hosts
        self.target = target
        self.maxConcurrent = maxConcurrent
        self.policy = policy
        self.by = by
        self.pollInterval = pollInterval
        self.readTimeout = readTimeout
        self.logger = logger
    }

    // MARK: - reading

    /// Reads `hosts` (default: every host), in parallel, in their order.
    public func observe(_ selection: [InventoryHost]? = nil) async -> [RolloutObservation] {
        let reader = self
        return await forEachHost(selection ?? hosts, maxConcurrent: maxConcurrent) { host in
            await reader.observeOne(host)
        }.map(\.1)
    }

    private func observeOne(_ host: InventoryHost) async -> RolloutObservation {
        if case .failure(let error) = FleetStatusCollector.probeTarget(for: host) {
            return RolloutObservation(host: host.name, error: error.description)
        }
        let (sshTarget, logger, timeout) = (self.target(host), self.logger, readTimeout)
        let result = await withTimeout(timeout) { () -> Result<ExecResult, any Error> in
            do {
                return .success(
                    try await withSSHConnection(sshTarget, logger: logger) { connection in
                        let probe = try await FleetStatusCollector.probeTarget(for: host, over: connection)
                        return try await connection.exec(RolloutProbe.command(for: probe), timeout: timeout)
                    })
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .none:
            return RolloutObservation(host: host.name, error: "no answer within \(GoDuration.format(timeout))")
        case .failure(let error)?:
            return RolloutObservation(host: host.name, error: String(describing: error))
        case .success(let exec)?:
            return RolloutProbe.parse(exec.stdout, host: host.name)
        }
    }

    /// The chain's total voting power from `/validators`, read through the first node whose RPC answers;
    /// `nil` when no node serves it.
    public func validatorSetPower(_ observations: [RolloutObservation]) async -> (power: Int64, host: String)? {
        for observation in observations where observation.chain != nil {
            guard let host = hosts.first(where: { $0.name == observation.host }) else { continue }
            let (sshTarget, logger, timeout) = (self.target(host), self.logger, readTimeout)
            let rpc = host.nodeRPC
            let power = try? await withSSHConnection(sshTarget, logger: logger) { connection -> Int64? in
                var (sum, seen, page) = (Int64(0), 0, 1)
                while page <= 100 {
                    let result = try await connection.exec(
                        RolloutProbe.validatorsCommand(rpc: rpc, page: page), timeout: timeout)
                    guard result.succeeded, let set = ValidatorSet.parse(result.stdout) else { return nil }
                    sum += set.power
                    seen += set.validators.count
                    if seen >= set.total || set.validators.isEmpty { return sum }
                    page += 1
                }
                return nil
            }
            if let power = power ?? nil, power > 0 { return (power, host.name) }
            return nil
        }
        return nil
    }

    // MARK: - running

    /// Runs `plan`, reporting every step as it happens.
    public func run(_ plan: RolloutPlan, report: @escaping @Sendable (RolloutEvent) -> Void) async -> RolloutOutcome {
        var switched: [String] = []
        for (index, step) in plan.steps.enumerated() {
            report(.stepStarted(index: index, count: plan.steps.count, step))
            let validators = step.switches.filter { $0.role == .validator }
            if !validators.isEmpty {
                let observations = await observe()
                for validator in validators {
                    if let refusal = DoubleSignInterlock.check(validator: validator.host, observations: observations) {
                        return .refused(step: index, refusal, switched: switched)
                    }
                    report(.interlockPassed(host: validator.host))
                }
            }
            let runner = self
            let results = await forEachHost(step.switches, maxConcurrent: maxConcurrent) { item in
                await runner.switchAndGate(item, report: report)
            }
            let failed = results.compactMap { item, reason in reason.map { (item, $0) } }
            guard !failed.isEmpty else {
                switched += step.hosts
                continue
            }
            switched += results.filter { $0.1 == nil }.map { $0.0.host }
            let healthy = await forEachHost(failed.map { $0.0 }, maxConcurrent: maxConcurrent) { item in
                await runner.revert(item, report: report)
            }
            return .stopped(
                step: index, failed: failed.map { $0.0.host }, reasons: failed.map { $0.1 }, switched: switched,
                revertedHealthy: healthy.allSatisfy { $0.1 })
        }
        return .completed(switched: switched)
    }

    /// Switches one node and gates it: `nil` when it passed, else why not.
    private func switchAndGate(
        _ item: RolloutStep.Switch, report: @escaping @Sendable (RolloutEvent) -> Void
    ) async
        -> String?
    {
        report(.switching(host: item.host, from: item.from, to: item.to))
        let reply = await switchNode(item.host, to: item.to, by: by)
        report(.switched(host: item.host, reply))
        guard reply.ok else { return "switch \(reply.outcome.rawValue): \(reply.message)" }
        switch await gate(item.host, report: report) {
        case .success:
            return nil
        case .failure(let reason):
            report(.gateFailed(host: item.host, reason: reason.message))
            return reason.message
        }
    }

    /// Puts a failed node back on the release it ran before (unless the agent already did) and gates it.
    private func revert(_ item: RolloutStep.Switch, report: @escaping @Sendable (RolloutEvent) -> Void) async -> Bool {
        guard let previous = item.from else {
            report(.reverted(host: item.host, healthy: false, message: "its previous release is unknown: fix by hand"))
            return false
        }
        report(.revertStarted(host: item.host, to: previous))
        guard let host = hosts.first(where: { $0.name == item.host }) else { return false }
        let now = await observeOne(host)
        if now.currentRelease != previous {
            var reply = await switchNode(item.host, to: previous, by: by + " (switch back)")
            if reply.outcome == .noAgent {
                // The agent exited with its child (cosmovisor's rule for a node that dies): point `current` back
                // so its service manager restarts it on the previous release, not into the broken one again.
                reply = await pointCurrent(host, at: previous)
            }
            report(.switched(host: item.host, reply))
            guard reply.ok else {
                report(
                    .reverted(
                        host: item.host, healthy: false,
                        message: "switching back to \(previous) failed: \(reply.message); fix by hand"))
                return false
            }
        }
        switch await gate(item.host, report: report) {
        case .success(let height):
            report(.reverted(host: item.host, healthy: true, message: "runs \(previous) again, height \(height)"))
            return true
        case .failure(let reason):
            report(.reverted(host: item.host, healthy: false, message: "on \(previous) but \(reason.message)"))
            return false
        }
    }

    /// A gate failure's sentence.
    private struct GateFailure: Error {
        var message: String
    }

    /// Polls `name` (and the fleet's heights) until the gate passes or fails.
    private func gate(
        _ name: String, report: @escaping @Sendable (RolloutEvent) -> Void
    ) async
        -> Result<Int64, GateFailure>
    {
        var gate = RolloutGate(policy: policy)
        let start = ContinuousClock.now
        var lastReason: String?
        while true {
            let observations = await observe()
            let own =
                observations.first { $0.host == name } ?? RolloutObservation(host: name, error: "not in inventory")
            let sample = RolloutGate.Sample(
                elapsed: start.duration(to: .now), childRunning: own.childRunning, height: own.chain?.height,
                catchingUp: own.chain?.catchingUp, fleetHighest: observations.compactMap(\.chain?.height).max(),
                error: own.error)
            switch gate.evaluate(sample) {
            case .pass:
                let elapsed = start.duration(to: .now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                report(.gatePassed(host: name, height: sample.height ?? 0, seconds: seconds))
                return .success(sample.height ?? 0)
            case .fail(let reason):
                return .failure(GateFailure(message: reason))
            case .wait(let reason):
                let kind = reason.split(separator: " ").prefix(2).joined(separator: " ")
                if kind != lastReason {
                    lastReason = kind
                    report(.gateWaiting(host: name, reason: reason))
                }
            }
            do { try await Task.sleep(for: pollInterval) } catch { return .failure(GateFailure(message: "cancelled")) }
        }
    }

    /// With no agent running, points `current` at `release` (a temporary link renamed over it, as the agent
    /// does) without starting anything: the agent's service starts the node on it when it restarts the agent.
    private func pointCurrent(_ host: InventoryHost, at release: String) async -> ControlReply {
        guard host.daemonHome != nil else { return ControlReply(.failed, "daemon_home is not set") }
        let target = release == CosmovisorLayout.genesisLinkTarget ? release : "upgrades/" + release
        let command = { (home: String) in
            "cd \(ShellQuote.quote(home + "/cosmovisor")) && [ -d \(ShellQuote.quote(target)) ] && "
                + "ln -sfn \(ShellQuote.quote(target)) .current.fleet && mv -T .current.fleet current"
        }
        let (sshTarget, logger) = (self.target(host), self.logger)
        do {
            let result = try await withSSHConnection(sshTarget, logger: logger) { connection in
                let home = try await host.resolvingNodePaths(over: connection).daemonHome ?? ""
                return try await connection.exec(command(home), timeout: readTimeout)
            }
            guard result.succeeded else {
                return ControlReply(
                    .failed,
                    "no agent runs, and pointing current at \(target) failed: "
                        + TerminalText.escaped(String(result.errorOutput.prefix(300))))
            }
            return ControlReply(
                .ok,
                "no agent runs (it exited with the node): current points at \(target) again, where the node starts "
                    + "when its service restarts the agent",
                from: nil, to: release)
        } catch {
            return ControlReply(.failed, "\(host.name): \(error)")
        }
    }

    /// Asks the node's agent to switch to `release` (`node-agent switch --json`) and returns its answer.
    public func switchNode(_ name: String, to release: String, by: String) async -> ControlReply {
        guard let host = hosts.first(where: { $0.name == name }),
            host.daemonHome != nil, let daemon = host.daemonName
        else { return ControlReply(.failed, "\(name): daemon_home or daemon_name is not set in the inventory") }
        let agentTimeout = 300
        let upTimeout = max(1, min(agentTimeout, Int(policy.timeout.components.seconds)))
        let command = { (node: InventoryHost) in
            ShellQuote.command([
                "env", "DAEMON_HOME=\(node.daemonHome ?? "")", "DAEMON_NAME=\(daemon)", "COSMOVISOR_DISABLE_LOGS=true",
                node.agentPath ?? "node-agent", "switch", release, "--json", "--by", by, "--timeout",
                String(agentTimeout),
                // The agent answers once the node's RPC answers, and switches back itself past the gate's timeout.
                "--up-timeout", String(upTimeout),
            ])
        }
        let (sshTarget, logger) = (self.target(host), self.logger)
        do {
            let result = try await withSSHConnection(sshTarget, logger: logger) { connection in
                let node = try await host.resolvingNodePaths(over: connection)
                return try await connection.exec(command(node), timeout: .seconds(agentTimeout + 30))
            }
            let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
            if let reply = try? ControlReply.decode(Data(line.utf8)) { return reply }
            let detail = (result.errorOutput.isEmpty ? result.output : result.errorOutput)
            return ControlReply(
                .failed,
                "node-agent switch exited \(result.exitStatus.map(String.init) ?? "?"): "
                    + TerminalText.escaped(String(detail.prefix(300)), limit: TerminalText.messageLimit))
        } catch {
            return ControlReply(.failed, "\(name): \(error)")
        }
    }
}
