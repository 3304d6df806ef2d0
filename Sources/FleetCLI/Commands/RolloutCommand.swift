import ArgumentParser
import FleetCore
import Foundation

/// `fleet rollout NAME`: switch a staged release now, node by node, each gated on health.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Switch every selected node to a staged release now, in the safe order, each gated on health.",
        discussion: """
            For a release that needs no migration. Order: --canary alone, then full nodes and sentries \
            (--batch at a time), then validators one at a time, never one whose absence leaves 2/3 of the \
            chain's voting power or less up (total from the chain's /validators, else --total-power or the \
            inventory's total_voting_power, else our validators as the whole chain). Per node: `node-agent \
            switch NAME` through the agent's control channel (recorded in its state file with who asked), \
            then the gate: child up, height advancing, not catching up, within --max-lag blocks of the \
            fleet's highest node. A failed gate stops the rollout and switches that node back. Before a \
            validator is started, no other running node may have its consensus key. Exit codes: 0 done, \
            1 not ready (unreachable, not staged), 2 usage, 3 refused by a safety check or a failed gate.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: RolloutOptions

    @Argument(help: "The staged release (upgrade name).")
    var name: String

    func run() async throws {
        let session = try await RolloutSession.open(global: global, options: options, command: "rollout", name: name)
        var nodes: [RolloutNode] = []
        for host in session.selected {
            let observation = session.observation(host.name)
            let release = try session.release(on: host)
            nodes.append(
                RolloutNode(
                    name: host.name, role: host.role, votingPower: session.power(of: host),
                    current: observation.currentRelease, target: release,
                    targetStaged: observation.staged(release), running: observation.nodeRunning))
        }
        try await session.execute(nodes)
    }
}

/// The options `rollout` and `rollback` share.
struct RolloutOptions: ParsableArguments {
    @Option(help: "Full nodes and sentries switched at once.")
    var batch: Int = 1

    @Option(help: "A host switched first, alone, before any other.")
    var canary: String?

    @Option(
        help: ArgumentHelp("How long a node has to pass its gate, e.g. 2m, 90s.", valueName: "duration"),
        transform: GlobalOptions.duration)
    var gateTimeout: Duration = .seconds(120)

    @Option(help: "Blocks a switched node may trail the fleet's highest node.")
    var maxLag: Int64 = 5

    @Option(help: "The chain's total voting power when its /validators cannot be read.")
    var totalPower: Int64?

    @Flag(help: "Print the plan and stop.")
    var dryRun = false

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard maxLag >= 0 else { throw ValidationError("--max-lag must not be negative") }
        if let totalPower, totalPower <= 0 { throw ValidationError("--total-power must be positive") }
    }
}

/// What `rollout` and `rollback` do once they know each node's target: read, plan, check, print, run.
struct RolloutSession {
    var global: GlobalOptions
    var options: RolloutOptions
    var command: String
    var name: String
    var selected: [InventoryHost]
    var runner: RolloutRunner
    var observations: [RolloutObservation]
    var renderer: RolloutRenderer

    /// Loads the inventory and reads every node (the whole inventory: the interlock and the fleet's height
    /// look at all of them); an unreachable selected node refuses the run (exit 1).
    static func open(
        global: GlobalOptions, options: RolloutOptions, command: String, name: String
    ) async throws
        -> RolloutSession
    {
        let (inventory, selected) = try global.selectedHosts()
        let settings = SSHClientSettings(global)
        let env = ProcessInfo.processInfo.environment
        let who = "\(env["USER"] ?? NSUserName())@\(ProcessInfo.processInfo.hostName)"
        let runner = RolloutRunner(
            hosts: inventory.hosts, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
            policy: .init(maxLag: options.maxLag, timeout: options.gateTimeout),
            by: "fleet \(command) \(name) (\(who))",
            readTimeout: global.timeout ?? .seconds(30), logger: global.logger)
        let renderer = RolloutRenderer(terminal: .current, silent: global.json)
        let session = RolloutSession(
            global: global, options: options, command: command, name: name, selected: selected, runner: runner,
            observations: await runner.observe(), renderer: renderer)
        for host in selected {
            _ = try session.release(on: host)
        }
        let unreadable = selected.map { session.observation($0.name) }.filter { $0.error != nil }
        if !unreadable.isEmpty {
            let detail = unreadable.map { "\($0.host): \($0.error ?? "")" }.joined(separator: "; ")
            try session.refuse(RolloutRefusal(.notReady, "cannot read \(detail)", hosts: unreadable.map(\.host)))
        }
        return session
    }

    /// The observation of `host`.
    func observation(_ host: String) -> RolloutObservation {
        observations.first { $0.host == host } ?? RolloutObservation(host: host, error: "not read")
    }

    /// `name` as the agent on `host` names its directory (exit 2 for an invalid name).
    func release(on host: InventoryHost) throws -> String {
        do {
            return try RolloutRelease.directory(of: name, on: host)
        } catch {
            Terminal.err("fleet: \(TerminalText.escaped(String(describing: error))): \(TerminalText.escaped(name))\n")
            throw ExitCode(2)
        }
    }

    /// A node's voting power: the inventory's `voting_power`, else its RPC's `validator_info.voting_power`.
    func power(of host: InventoryHost) -> Int64 {
        RolloutRelease.inventoryPower(of: host) ?? observation(host.name).chain?.votingPower ?? 0
    }

    /// Plans `nodes`, checks the consensus keys of every validator in the plan, prints the plan, runs it.
    func execute(_ nodes: [RolloutNode]) async throws {
        // A running validator whose power nobody states could hold any share: never guess it is 0.
        let unknown = nodes.filter { node in
            guard node.role == .validator, node.running, !node.onTarget,
                let host = selected.first(where: { $0.name == node.name })
            else { return false }
            return RolloutRelease.inventoryPower(of: host) == nil && observation(node.name).chain?.votingPower == nil
        }
        if !unknown.isEmpty {
            try refuse(
                RolloutRefusal(
                    .notReady,
                    "the voting power of \(unknown.map(\.name).joined(separator: ", ")) is unknown (its RPC did not "
                        + "say): set voting_power for it in the inventory",
                    hosts: unknown.map(\.name)))
        }
        let (total, note) = await totalPower()
        let plan: RolloutPlan
        do throws(RolloutRefusal) {
            plan = try RolloutPlanner.plan(
                nodes, totalPower: total, options: .init(batchSize: options.batch, canary: options.canary))
        } catch {
            try refuse(error)
        }
        for item in plan.switches where item.role == .validator {
            if let refusal = DoubleSignInterlock.check(validator: item.host, observations: observations) {
                try refuse(refusal)
            }
        }
        let shown = renderer.plan(plan, command: command, release: name, budgetNote: note)
        if !global.json { Terminal.out(shown) }
        if options.dryRun {
            if global.json { try printJSON(RolloutReport(plan: plan, result: "planned")) }
            return
        }
        let renderer = self.renderer
        let outcome = await runner.run(plan) { renderer.handle($0) }
        if global.json {
            try printJSON(RolloutReport(plan: plan, outcome: outcome))
        } else {
            Terminal.out(renderer.outcome(outcome, command: command, release: name))
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// The chain's total voting power and a note saying where it came from.
    private func totalPower() async -> ((Int64, VotingPowerBudget.Source)?, String) {
        if let (power, host) = await runner.validatorSetPower(observations) {
            return ((power, .validatorSet), "total \(power) from the chain's /validators (read on \(host))")
        }
        if let given = options.totalPower ?? RolloutRelease.inventoryTotalPower(selected) {
            let from = options.totalPower != nil ? "--total-power" : "the inventory's total_voting_power"
            return ((given, .given), "total \(given) from \(from) (the chain's /validators did not answer)")
        }
        return (nil, "no /validators answer and no --total-power: our validators are taken as the whole chain")
    }

    /// Prints `refusal` and exits with its code.
    func refuse(_ refusal: RolloutRefusal) throws -> Never {
        if global.json {
            try? printJSON(RolloutReport(plan: nil, result: "refused", message: refusal.message, hosts: refusal.hosts))
        } else {
            Terminal.out(renderer.refusal(refusal, command: command, release: name))
        }
        throw ExitCode(refusal.exitCode)
    }

    private func printJSON(_ report: RolloutReport) throws {
        Terminal.out(String(decoding: try NodeStatus.encoder.encode(report), as: UTF8.self) + "\n")
    }
}

/// `fleet rollout --json` / `rollback --json`.
struct RolloutReport: Encodable {
    var plan: RolloutPlan?
    /// `planned`, `completed`, `stopped` or `refused`.
    var result: String
    var message: String?
    var hosts: [String]?
    var switched: [String]?

    init(plan: RolloutPlan?, result: String, message: String? = nil, hosts: [String]? = nil) {
        self.plan = plan
        self.result = result
        self.message = message
        self.hosts = hosts
    }

    init(plan: RolloutPlan, outcome: RolloutOutcome) {
        self.plan = plan
        switch outcome {
        case .completed(let switched):
            result = "completed"
            self.switched = switched
        case .refused(_, let refusal, let switched):
            result = "refused"
            message = refusal.message
            hosts = refusal.hosts
            self.switched = switched
        case .stopped(_, let failed, let reasons, let switched, _):
            result = "stopped"
            message = reasons.joined(separator: "; ")
            hosts = failed
            self.switched = switched
        }
    }
}
