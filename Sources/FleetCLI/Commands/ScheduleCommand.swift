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
            name or inventory, 130 interrupted by Ctrl-C (143 by SIGTERM): the plan is removed from every \
            node that got it, as on a failure. With --json only the final report is printed: per node host, \
            result, rolled_back, error; the outcome, whether a rollback ran, and the exit code.
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
        let report: ScheduleReport
        if let height {
            let request = try PreflightCommand.request(name: name, height: height, sha256: nil, version: nil)
            // The adds and removals under way are never cancelled: a signal is answered at the next step by
            // removing the plan from every node that got it.
            let interruption = Interruption.install(
                notice: "fleet: interrupted; finishing the calls under way, then removing the plan from every node "
                    + "that got it (Ctrl-C again to quit at once and leave it there)\n"
            ) {}
            report = await schedule(
                request, height: height, hosts: hosts, requestedBy: requestedBy, interruption: interruption)
        } else {
            report = try await cancelEverywhere(hosts: hosts, requestedBy: requestedBy)
        }
        if global.json {
            Terminal.out(String(decoding: try ScheduleRenderer.json(report), as: UTF8.self) + "\n")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// Prints `text` unless `--json` asked for the report alone.
    private func say(_ text: String) {
        if !global.json { Terminal.out(text) }
    }

    private func schedule(
        _ request: PreflightMatrix.Request, height: Int64, hosts: [InventoryHost], requestedBy: String,
        interruption: Interruption
    ) async -> ScheduleReport {
        var report = ScheduleReport(name: name, height: height, hosts: hosts.map(\.name))
        let shown = TerminalText.escaped(name)
        say("fleet schedule \(shown) at height \(height) will:\n")
        for (index, step) in SchedulePlan.steps(name: shown, height: height, hosts: hosts.map(\.name)).enumerated() {
            say("  \(index + 1). \(step)\n")
        }
        say("\n")
        let matrix = await PreflightCommand.evaluate(request, hosts: hosts, global: global)
        say(PreflightRenderer(terminal: .current).render(matrix))
        if let signal = interruption.signal {
            report.interruptedBy = signal
            say("\ninterrupted: no node was changed\n")
            report.finish(.interrupted)
            return report
        }
        let refusal = SchedulePlan.refusal(matrix, height: height)
        guard refusal.isEmpty else {
            say("\nrefused: the preflight is not green; no node was changed\n")
            report.finish(.refused)
            return report
        }
        say("\nadding the plan on \(hosts.count) nodes\n")
        let answers = await run(.add(name: name, height: height), hosts: hosts, requestedBy: requestedBy, verb: "added")
        let outcomes = answers.map { answer -> (host: String, outcome: SchedulePlan.AddOutcome) in
            guard answer.succeeded else { return (answer.host, .failed(answer.message)) }
            return (answer.host, answer.message.contains("already scheduled") ? .alreadyScheduled : .added)
        }
        report.recordAdds(outcomes)
        if let signal = interruption.signal {
            report.interruptedBy = signal
            say("\ninterrupted: removing the plan from the \(report.holders.count) nodes that got it\n")
            await rollBack(&report, hosts: hosts, requestedBy: requestedBy)
            return report
        }
        if case .rollBack(_, let failed) = SchedulePlan.decide(outcomes) {
            say("\n\(failed.count) of \(hosts.count) nodes failed: rolling back\n")
            await rollBack(&report, hosts: hosts, requestedBy: requestedBy)
            return report
        }
        say("\nchecking that every node reports the pending plan\n")
        let settings = SSHClientSettings(global)
        // A node whose probe fails or times out (a loaded host) is asked again, up to three times, before its
        // silence counts as a missing plan and rolls the whole schedule back.
        var missing = hosts.map(\.name)
        for attempt in 1...3 where !missing.isEmpty && !interruption.happened {
            if attempt > 1 { try? await Task.sleep(for: Backoff.delay(attempt: attempt + 2)) }
            let asked = hosts.filter { missing.contains($0.name) }
            let observations = await FleetStatusCollector.collect(
                hosts: asked, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
                now: Date().formatted(.iso8601), timeout: global.timeout, logger: global.logger)
            missing = SchedulePlan.missing(
                observations.map { ($0.host, $0.status?.pendingPlan) }, name: name, height: height)
        }
        if let signal = interruption.signal {
            report.interruptedBy = signal
            say("\ninterrupted: removing the plan from the \(report.holders.count) nodes that got it\n")
            await rollBack(&report, hosts: hosts, requestedBy: requestedBy)
            return report
        }
        if !missing.isEmpty {
            say("\(missing.joined(separator: ", ")) do not report the plan: rolling back\n")
            await rollBack(&report, hosts: hosts, requestedBy: requestedBy)
            return report
        }
        say(
            TerminalText.escaped(name) + " is scheduled at height \(height) on all \(hosts.count) nodes "
                + "(recorded on each node as requested by \(TerminalText.escaped(requestedBy)))\n")
        report.finish(.scheduled)
        return report
    }

    /// Removes the plan from every node that holds it (by the report) and says what was undone.
    private func rollBack(_ report: inout ScheduleReport, hosts: [InventoryHost], requestedBy: String) async {
        let selected = hosts.filter { report.holders.contains($0.name) }
        let answers = await run(.remove(name: name), hosts: selected, requestedBy: requestedBy, verb: "removed")
        report.recordRemovals(answers, rollback: true)
        report.finish(.rolledBack)
        let stuck = report.holders
        if stuck.isEmpty {
            say("rolled back: the plan was removed from \(selected.count) nodes; no node holds it now\n")
        } else {
            say(
                "ROLLBACK INCOMPLETE: the plan is still on \(stuck.joined(separator: ", ")); remove it there "
                    + "with `fleet schedule \(TerminalText.escaped(name)) --cancel -l \(stuck.joined(separator: ","))`\n"
            )
        }
    }

    private func cancelEverywhere(hosts: [InventoryHost], requestedBy: String) async throws -> ScheduleReport {
        _ = try PreflightCommand.request(name: name, height: nil, sha256: nil, version: nil)
        var report = ScheduleReport(name: name, height: nil, hosts: hosts.map(\.name))
        say(
            "fleet schedule \(TerminalText.escaped(name)) --cancel will run node-agent remove-upgrade "
                + "\(TerminalText.escaped(name)) on \(hosts.count) nodes\n")
        let answers = await run(.remove(name: name), hosts: hosts, requestedBy: requestedBy, verb: "removed")
        report.recordRemovals(answers, rollback: false)
        report.finish(.cancelled)
        let failed = answers.filter { !$0.succeeded }
        if failed.isEmpty {
            say("\(TerminalText.escaped(name)) is not scheduled on any of the \(hosts.count) nodes now\n")
        } else {
            say("\(failed.count) nodes failed: \(failed.map(\.host).joined(separator: ", "))\n")
        }
        return report
    }

    /// Runs `action` on `hosts`, printing each node's answer as it comes.
    private func run(
        _ action: ScheduleRemote.Action, hosts: [InventoryHost], requestedBy: String, verb: String
    ) async -> [ScheduleRemote.Answer] {
        let settings = SSHClientSettings(global)
        let quiet = global.json
        return await ScheduleRemote.run(
            action, hosts: hosts, target: { settings.target(for: $0) }, requestedBy: requestedBy,
            maxConcurrent: global.parallel, timeout: global.timeout, logger: global.logger
        ) { answer in
            guard !quiet else { return }
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
