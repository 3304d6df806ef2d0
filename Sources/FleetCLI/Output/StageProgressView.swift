import FleetCore
import Foundation
import Synchronization

/// `fleet stage`'s live progress: on a terminal one line per host redrawn in place (bytes, %, rate, state)
/// and a total line; elsewhere one line per host per state change; nothing with `--json`.
///
/// Fed from every host's task and the upload threads at once, so its state sits behind a `Mutex`; a
/// redraw is one write of at most ten per second (and one per phase change).
final class StageProgressView: Sendable {
    /// How progress is shown.
    enum Mode: Sendable {
        case live, lines, silent
    }

    private struct Row {
        var phase = StagePhase.queued
        var sent: Int64 = 0
        var total: Int64?
        var started: ContinuousClock.Instant?
        var finished: ContinuousClock.Instant?
    }

    private struct State {
        var order: [String]
        var rows: [String: Row]
        var drawnLines = 0
        var lastDraw: ContinuousClock.Instant?
        let start = ContinuousClock.now
    }

    private let mode: Mode
    private let pull: Bool
    private let state: Mutex<State>

    init(mode: Mode, hosts: [String], pull: Bool) {
        self.mode = mode
        self.pull = pull
        var rows: [String: Row] = [:]
        for host in hosts { rows[host] = Row() }
        state = Mutex(State(order: hosts, rows: rows))
    }

    /// Records `event` and shows it as the mode says.
    func handle(_ event: StageProgressEvent) {
        guard mode != .silent else { return }
        let now = ContinuousClock.now
        let output: String? = state.withLock { state in
            var row = state.rows[event.host] ?? Row()
            let changed = row.phase != event.phase
            row.phase = event.phase
            row.total = event.totalBytes ?? row.total
            if case .transferring = event.phase {
                if row.started == nil { row.started = now }
                row.sent = max(row.sent, event.bytesSent)
            }
            if row.started != nil, row.finished == nil, event.phase != .transferring { row.finished = now }
            state.rows[event.host] = row
            switch mode {
            case .lines:
                return changed ? "\(TerminalText.escaped(event.host)): \(describe(row.phase, total: row.total))\n" : nil
            case .live:
                if !changed, let last = state.lastDraw, last.duration(to: now) < .milliseconds(100) { return nil }
                state.lastDraw = now
                return redraw(&state, now: now)
            case .silent:
                return nil
            }
        }
        if let output { Terminal.out(output) }
    }

    /// Draws the final state (on a terminal) so the screen ends complete.
    func finish() {
        guard mode == .live else { return }
        let output = state.withLock { redraw(&$0, now: .now) }
        Terminal.out(output)
    }

    private func redraw(_ state: inout State, now: ContinuousClock.Instant) -> String {
        var out = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A" : ""
        var sent: Int64 = 0
        var total: Int64 = 0
        var done = 0
        let width = min(max(state.order.map(\.utf8.count).max() ?? 4, 5), 40)
        for host in state.order {
            let row = state.rows[host] ?? Row()
            sent += row.sent
            total += row.total ?? 0
            if case .done = row.phase { done += 1 }
            out += "\r\u{1B}[2K" + pad(TerminalText.escaped(host), width) + "  " + line(row, now: now) + "\n"
        }
        let elapsed = seconds(state.start.duration(to: now))
        var summary = "\(done)/\(state.order.count) hosts done"
        if !pull && total > 0 {
            summary += "  \(mib(sent))/\(mib(total)) MiB  \(percent(sent, total))  \(rate(sent, elapsed))"
        }
        out += "\r\u{1B}[2K" + pad("total", width) + "  " + summary + "\n"
        state.drawnLines = state.order.count + 1
        return out
    }

    private func line(_ row: Row, now: ContinuousClock.Instant) -> String {
        let name = pad(describePhase(row.phase), 16)
        guard !pull, let total = row.total else { return name }
        let elapsed = row.started.map { seconds($0.duration(to: row.finished ?? now)) } ?? 0
        switch row.phase {
        case .transferring, .verifying:
            return name + "\(mib(row.sent))/\(mib(total)) MiB  \(percent(row.sent, total))  \(rate(row.sent, elapsed))"
        case .done(.staged):
            return name + "\(mib(total)) MiB  100%  \(rate(total, elapsed))"
        default:
            return name
        }
    }

    private func describe(_ phase: StagePhase, total: Int64?) -> String {
        if case .transferring = phase, !pull, let total { return "uploading \(mib(total)) MiB" }
        return describePhase(phase)
    }

    private func describePhase(_ phase: StagePhase) -> String {
        switch phase {
        case .queued: "queued"
        case .connecting: "connecting"
        case .retrying(let attempt): "retrying (\(attempt))"
        case .inspecting: "inspecting"
        case .transferring: pull ? "downloading" : "uploading"
        case .verifying: "verifying"
        case .done(let result): result == .alreadyStaged ? "already staged" : result.rawValue
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func mib(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    private func percent(_ part: Int64, _ whole: Int64) -> String {
        whole == 0 ? "100%" : String(format: "%3d%%", Int(Double(part) * 100 / Double(whole)))
    }

    private func rate(_ bytes: Int64, _ seconds: Double) -> String {
        seconds > 0.05 ? String(format: "%.1f MiB/s", Double(bytes) / 1_048_576 / seconds) : ""
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
