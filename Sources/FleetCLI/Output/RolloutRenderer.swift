import FleetCore
import Foundation
import Synchronization

/// The text of `fleet rollout` and `fleet rollback`: the plan first, then one line per event as it happens,
/// then the outcome. Strings from nodes are escaped and bounded.
final class RolloutRenderer: Sendable {
    private let terminal: Terminal
    private let silent: Bool
    private let step = Mutex<(index: Int, count: Int)>((0, 0))

    /// A renderer writing to stdout; `silent` (for `--json`) writes nothing as it goes.
    init(terminal: Terminal, silent: Bool) {
        self.terminal = terminal
        self.silent = silent
    }

    /// The plan, as `--dry-run` prints it.
    func plan(_ plan: RolloutPlan, command: String, release: String, budgetNote: String) -> String {
        var lines = [
            "fleet \(command) \(release): \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s"), "
                + "\(plan.switches.count) node\(plan.switches.count == 1 ? "" : "s") to switch"
                + (plan.skipped.isEmpty ? "" : "; left alone: \(plan.skipped.joined(separator: ", "))")
        ]
        lines.append("voting power: \(budgetNote)")
        if let lowest = plan.lowestUp {
            lines.append(
                "  while one validator is down at least \(plan.budget.describe(lowest)) stays up (more than 2/3)")
        }
        for (index, step) in plan.steps.enumerated() {
            for item in step.switches {
                let power = item.role == .validator ? ", power \(item.votingPower)" : ""
                lines.append(
                    "  step \(index + 1)  \(step.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) "
                        + "\(item.host) (\(item.role.rawValue)\(power)): \(item.from ?? "?") -> \(item.to)")
            }
        }
        if plan.steps.isEmpty { lines.append("  nothing to do") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prints one event as it happens.
    func handle(_ event: RolloutEvent) {
        guard !silent else { return }
        if case .stepStarted(let index, let count, _) = event { step.withLock { $0 = (index, count) } }
        let (index, count) = step.withLock { $0 }
        let prefix = "[\(index + 1)/\(count)]"
        let line: String
        switch event {
        case .stepStarted(_, _, let step):
            line = "\(prefix) \(step.kind.rawValue): \(step.hosts.joined(separator: ", "))"
        case .interlockPassed(let host):
            line = "\(prefix) \(host): no other running node has its consensus key"
        case .switching(let host, let from, let to):
            line = "\(prefix) \(host): switching \(from ?? "?") -> \(to)"
        case .switched(let host, let reply):
            let text = Self.escaped(reply.message)
            line =
                reply.ok
                ? "\(prefix) \(host): \(text)"
                : "\(prefix) \(host): \(terminal.paint("switch refused or failed", .red)) (\(reply.outcome.rawValue)): \(text)"
        case .gateWaiting(let host, let reason):
            line = "\(prefix) \(host): gate: \(Self.escaped(reason))"
        case .gatePassed(let host, let height, let seconds):
            line =
                "\(prefix) \(host): \(terminal.paint("healthy", .green)) at height \(height) "
                + "(\(String(format: "%.1f", seconds)) s)"
        case .gateFailed(let host, let reason):
            line = "\(prefix) \(host): \(terminal.paint("gate failed", .red)): \(Self.escaped(reason))"
        case .revertStarted(let host, let to):
            line = "\(prefix) \(host): switching back to \(to)"
        case .reverted(let host, let healthy, let message):
            line =
                "\(prefix) \(host): "
                + (healthy ? terminal.paint("healthy again", .green) : terminal.paint("NOT healthy", .boldRed))
                + ": \(Self.escaped(message))"
        }
        Terminal.out(line + "\n")
    }

    /// The closing lines.
    func outcome(_ outcome: RolloutOutcome, command: String, release: String) -> String {
        switch outcome {
        case .completed(let switched):
            return
                "fleet \(command) \(release): done; \(switched.count) node\(switched.count == 1 ? "" : "s") switched\n"
        case .refused(let step, let refusal, let switched):
            return "fleet \(command) \(release): \(terminal.paint("refused", .boldRed)) before step \(step + 1): "
                + "\(Self.escaped(refusal.message))\n"
                + "  switched before: \(switched.isEmpty ? "none" : switched.joined(separator: ", ")); nothing else touched\n"
        case .stopped(let step, let failed, let reasons, let switched, let healthy):
            var text =
                "fleet \(command) \(release): \(terminal.paint("stopped", .boldRed)) at step \(step + 1): "
                + "\(failed.joined(separator: ", ")) failed: \(reasons.map { Self.escaped($0) }.joined(separator: "; "))\n"
            text +=
                healthy
                ? "  \(failed.joined(separator: ", ")) switched back and healthy again\n"
                : "  \(terminal.paint("switching back did not bring every failed node back to health", .boldRed))\n"
            text +=
                "  switched and kept: \(switched.isEmpty ? "none" : switched.joined(separator: ", ")); "
                + "no other node touched\n"
            return text
        }
    }

    /// A refusal before anything started.
    func refusal(_ refusal: RolloutRefusal, command: String, release: String) -> String {
        "fleet \(command) \(release): \(terminal.paint("refused", .boldRed)): \(Self.escaped(refusal.message)); "
            + "no node touched\n"
    }

    private static func escaped(_ text: String) -> String {
        TerminalText.escaped(text, limit: TerminalText.messageLimit)
    }
}
