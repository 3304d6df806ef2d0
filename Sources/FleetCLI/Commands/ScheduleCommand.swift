import ArgumentParser
import FleetCore
import Foundation

/// `fleet schedule NAME --height H` / `fleet schedule NAME --cancel`: a manual (non-governance) upgrade at
/// a height on every selected node, all or nothing.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule upgrade NAME at height H on every selected node (all or nothing), or --cancel it.",
        discussion: """
            Runs the preflight (`fleet preflight NAME --height H`) and stops unless every node is green and \
            below H. Then runs `node-agent add-upgrade NAME --upgrade-height H` on every node (the agent \
            writes data/upgrade-info.json and its manual-upgrades.json entry, with who and when, and starts \
            the node with --halt-height H), and checks that every node reports the pending plan. If any \
            node fails, the plan is removed again (`node-agent remove-upgrade NAME`) from every node that \
            got it. --cancel removes it from every node. Exit codes: 0 every node holds the plan (or, \
            with --cancel, none does), 1 refused or failed (the output says what was undone), 2 a bad \
            name or inventory.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The height every node halts at and switches to NAME.")
    var height: Int64?

    @Flag(help: "Remove the scheduled upgrade NAME from every selected node.")
    var cancel = false

    @Argument(help: "The upgrade name (staged with `fleet stage NAME FILE`).")
    var name: String

    func validate() throws {
        if cancel == (height != nil) { throw ValidationError("give either --height H or --cancel") }
        if let height, height <= 0 { throw ValidationError("--height must be greater than 0") }
    }

    func run() async throws {
        let (_, hosts) = try global.selectedHosts()
        let requestedBy = Self.requester()
        if let height {
            try await schedule(height: height, hosts: hosts, requestedBy: requestedBy)
        } else {
            try await cancelEverywhere(hosts: hosts, requestedBy: requestedBy)
        }
    }

    private func schedule(height: Int64, hosts: [InventoryHost], requestedBy: String) async throws {
        let request = try PreflightCommand.request(name: name, height: height, sha256: nil, version: nil)
        let shown = TerminalText.escaped(name)
        Terminal.out("fleet schedule \(shown) at height \(height) will:\n")
        for (index, step) in SchedulePlan.steps(name: shown, height: height, hosts: hosts.map(\.name)).enumerated() {
            Terminal.out("  \(index + 1). \(step)\n")
        }
        Terminal.out("\n")
        let matrix = await PreflightCommand.evaluate(request, hosts: hosts, global: global)
        Terminal.out(PreflightRenderer(terminal: .current).render(matrix))
        let refusal = SchedulePlan.refusal(matrix, height: height)
        guard refusal.isEmpty else {
            Terminal.out("\nrefused: the preflight is not green; no node was changed\n")
            throw ExitCode(1)
        }
        Terminal.out("\nadding the plan on \(hosts.count) nodes\n")
        let answers = await run(.add(name: name, height: height), hosts: hosts, requestedBy: requestedBy, verb: "added")
        let outcomes = answers.map { answer -> (host: String, outcome: SchedulePlan.AddOutcome) in
            guard answer.succeeded else { return (answer.host, .failed(answer.message)) }
            return (answer.host, answer.message.contains("already scheduled") ? .alreadyScheduled : .added)
        }
        if case .rollBack(let rollback, let failed) = SchedulePlan.decide(outcomes) {
            Terminal.out("\n\(failed.count) of \(hosts.count) nodes failed: rolling back\n")
            try await rollBack(rollback, hosts: hosts, requestedBy: requestedBy)
        }
        Terminal.out("\nchecking that every node reports the pending plan\n")
        let settings = SSHClientSettings(global)
        // A node whose probe fails or times out (a loaded host) is asked again, up to three times, before its
        // silence counts as a missing plan and rolls the whole schedule back.
        var missing = hosts.map(\.name)
        for attempt in 1...3 where !missing.isEmpty {
            if attempt > 1 { try? await Task.sleep(for: Backoff.delay(attempt: attempt + 2)) }
            let asked = hosts.filter { missing.contains($0.name) }
            let observations = await FleetStatusCollector.collect(
                hosts: asked, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
                now: Date().formatted(.iso8601), timeout: global.timeout, logger: global.logger)
            missing = SchedulePlan.missing(
                observations.map { ($0.host, $0.status?.pendingPlan) }, name: name, height: height)
        }
        if !missing.isEmpty {
            Terminal.out("\(missing.joined(separator: ", ")) do not report the plan: rolling back\n")
            try await rollBack(hosts.map(\.name), hosts: hosts, requestedBy: requestedBy)
        }
        Terminal.out(
            TerminalText.escaped(name) + " is scheduled at height \(height) on all \(hosts.count) nodes "
                + "(recorded on each node as requested by \(TerminalText.escaped(requestedBy)))\n")
    }

    /// Removes the plan from `names` (those that got it), says what was undone, and exits 1.
    private func rollBack(_ names: [String], hosts: [InventoryHost], requestedBy: String) async throws -> Never {
        let selected = hosts.filter { names.contains($0.name) }
        let answers = await run(.remove(name: name), hosts: selected, requestedBy: requestedBy, verb: "removed")
        let stuck = answers.filter { !$0.succeeded }.map(\.host)
        if stuck.isEmpty {
            Terminal.out(
                "rolled back: the plan was removed from \(selected.count) nodes; no node holds it now\n")
        } else {
            Terminal.out(
                "ROLLBACK INCOMPLETE: the plan is still on \(stuck.joined(separator: ", ")); remove it there "
                    + "with `fleet schedule \(TerminalText.escaped(name)) --cancel -l \(stuck.joined(separator: ","))`\n"
            )
        }
        throw ExitCode(1)
    }

    private func cancelEverywhere(hosts: [InventoryHost], requestedBy: String) async throws {
        _ = try PreflightCommand.request(name: name, height: nil, sha256: nil, version: nil)
        Terminal.out(
            "fleet schedule \(TerminalText.escaped(name)) --cancel will run node-agent remove-upgrade "
                + "\(TerminalText.escaped(name)) on \(hosts.count) nodes\n")
        let answers = await run(.remove(name: name), hosts: hosts, requestedBy: requestedBy, verb: "removed")
        let failed = answers.filter { !$0.succeeded }
        if failed.isEmpty {
            Terminal.out("\(TerminalText.escaped(name)) is not scheduled on any of the \(hosts.count) nodes now\n")
        } else {
            Terminal.out("\(failed.count) nodes failed: \(failed.map(\.host).joined(separator: ", "))\n")
            throw ExitCode(1)
        }
    }

    /// Runs `action` on `hosts`, printing each node's answer as it comes.
    private func run(
        _ action: ScheduleRemote.Action, hosts: [InventoryHost], requestedBy: String, verb: String
    ) async -> [ScheduleRemote.Answer] {
        let settings = SSHClientSettings(global)
        return await ScheduleRemote.run(
            action, hosts: hosts, target: { settings.target(for: $0) }, requestedBy: requestedBy,
            maxConcurrent: global.parallel, timeout: global.timeout, logger: global.logger
        ) { answer in
            let detail = answer.message.isEmpty ? "" : ": " + answer.message
            Terminal.out("  \(TerminalText.escaped(answer.host)): \(answer.succeeded ? verb : "FAILED")\(detail)\n")
        }
    }

    /// `fleet schedule by <user>@<host>`, recorded on every node.
    static func requester() -> String {
        let user =
            ProcessInfo.processInfo.environment["USER"] ?? getpwuid(geteuid()).map {
                String(cString: $0.pointee.pw_name)
            } ?? "?"
        return "fleet schedule by \(user)@\(ProcessInfo.processInfo.hostName)"
    }
}
