import FleetCore
import Foundation
import Logging

/// `fleet status --watch`: the status refreshed every `--interval` over persistent sessions until Ctrl-C.
extension StatusCommand {
    /// `--interval` when not given.
    static let defaultWatchInterval = Duration.seconds(2)
    /// The most one node may take per refresh when `--timeout` does not say; a slower node is shown
    /// unreachable for that refresh and reconnected, and never holds a refresh up longer.
    static let defaultWatchHostTimeout = Duration.seconds(10)

    /// Everything the refresh loop needs, as values.
    struct WatchPlan: Sendable {
        var hosts: [InventoryHost]
        var settings: SSHClientSettings
        var sessions: PersistentSessions
        var frame: StatusWatchFrame
        var interval: Duration
        var hostTimeout: Duration
        var parallel: Int
        var lag: Int64
        var wide: Bool
        var logger: Logger
    }

    /// Runs the refresh loop until SIGINT or SIGTERM, then closes every session and restores the cursor.
    /// A second signal while closing restores the cursor and exits at once (``Interruption``: 130 for Ctrl-C).
    func watchFleet(_ hosts: [InventoryHost], settings: SSHClientSettings) async {
        let plan = WatchPlan(
            hosts: hosts, settings: settings,
            sessions: PersistentSessions(
                targets: hosts.map { (key: $0.name, target: settings.target(for: $0)) }, logger: global.logger),
            frame: StatusWatchFrame(mode: global.json ? .json : Terminal.current.isTTY ? .screen : .log),
            interval: interval ?? Self.defaultWatchInterval,
            hostTimeout: global.timeout ?? Self.defaultWatchHostTimeout,
            parallel: global.parallel, lag: lag, wide: wide, logger: global.logger)
        let loop = Task { await Self.refreshLoop(plan) }
        let screen = plan.frame.mode == .screen
        // Ctrl-C is how a watch ends: no notice, and exit 0 once the sessions are closed.
        _ = Interruption.install(notice: nil) {
            loop.cancel()
        } onSecond: {
            if screen { Terminal.out(StatusWatchFrame.screenEnd) }
        }
        await loop.value
        await plan.sessions.close()
        if screen { Terminal.out(StatusWatchFrame.screenEnd) }
    }

    /// Opens the sessions, then reads and draws the fleet every `interval` (measured from each refresh's
    /// start) until cancelled.
    static func refreshLoop(_ plan: WatchPlan) async {
        if plan.frame.mode == .screen {
            Terminal.out(StatusWatchFrame.screenStart + StatusWatchFrame.connecting(plan.hosts.count))
        }
        await plan.sessions.open(maxConcurrent: plan.parallel)
        let settings = plan.settings
        while !Task.isCancelled {
            let start = ContinuousClock.now
            let observations = await FleetStatusCollector.collect(
                hosts: plan.hosts, target: { settings.target(for: $0) }, maxConcurrent: plan.parallel,
                now: Date().formatted(.iso8601), timeout: plan.hostTimeout, logger: plan.logger,
                sessions: plan.sessions)
            let took = start.duration(to: .now)
            guard !Task.isCancelled else { return }
            let assessment = FleetAssessment(observations, policy: .init(lagThreshold: plan.lag))
            let refresh = StatusWatchFrame.Refresh(
                time: Date(), took: took, reachable: observations.filter(\.reachable).count,
                total: observations.count, interval: plan.interval)
            let body: String
            if plan.frame.mode == .json {
                let report = StatusReport(
                    nodes: observations, findings: assessment.findings, exitCode: assessment.exitCode,
                    time: refresh.time.formatted(.iso8601), refreshMs: StatusWatchFrame.milliseconds(took),
                    reachable: refresh.reachable)
                body = (try? report.line()) ?? "{\"error\":\"could not encode the refresh\"}"
            } else {
                body = StatusRenderer(terminal: .current, wide: plan.wide).render(observations, assessment)
            }
            Terminal.out(plan.frame.render(refresh, body: body))
            do { try await Task.sleep(until: start + plan.interval, clock: .continuous) } catch { return }
        }
    }
}
