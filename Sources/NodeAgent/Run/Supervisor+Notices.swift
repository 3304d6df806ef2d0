import Foundation
import Glibc
import Logging

extension Supervisor {
    /// Renders the machine's notices with cosmovisor's exact message text (§7.1).
    func log(_ notice: StateMachine.Notice) {
        switch notice {
        case .invalidPlan(let problem):
            logger.error(
                "ignoring invalid upgrade-info.json, still supervising",
                metadata: ["error": "\(problem)", "file": "\(settings.upgradeInfoPath)"]
            )
        case .planSkipped(let plan):
            logger.info(
                "upgrade height is in --unsafe-skip-upgrades, not upgrading",
                metadata: ["height": "\(plan.height)", "name": "\(plan.name)"]
            )
        case .planScheduled(let plan):
            logger.info(
                "upgrade scheduled, app runs with --halt-height until then",
                metadata: ["height": "\(plan.height)", "name": "\(plan.name)"]
            )
        case .shuttingDown:
            logger.info("daemon shutting down in an attempt to restart")
        case .sentInterrupt:
            logger.info("sent interrupt to app, waiting for exit")
        case .exitedNormally:
            logger.info("app exited normally")
        case .graceExceeded:
            logger.info("DAEMON_SHUTDOWN_GRACE exceeded, killing app")
        case .preUpgradeSucceeded:
            logger.info("pre-upgrade successful. continuing the upgrade.")
        case .preUpgradeNotImplemented:
            logger.info("pre-upgrade command does not exist. continuing the upgrade.")
        case .preUpgradeRetrying(let attempt, let status):
            logger.error("pre-upgrade command failed. retrying", metadata: ["attempt": "\(attempt)", "error": "\(status)"])
        case .relaunching:
            logger.info("upgrade detected, relaunching", metadata: ["app": "\(settings.daemonName)"])
        case .restartOff:
            logger.info(
                "upgrade detected, DAEMON_RESTART_AFTER_UPGRADE is off. Please verify the new upgrade and start cosmovisor again."
            )
        }
    }

    /// Finds a child left running by an agent that was killed (pid and start time in the state file) and
    /// stops its whole group before anything else happens, so the node never runs twice (deliberate fix 4).
    func stopLeftoverChild() async {
        guard let data = FileManager.default.contents(atPath: settings.stateFile),
            let old = RunStateRecord.decode(data),
            let child = old.child,
            let startTime = ChildProcess.startTime(of: child.pid),
            startTime == child.startTime
        else { return }
        logger.warning(
            "stopping app left running by a previous agent",
            metadata: ["pid": "\(child.pid)", "previous agent pid": "\(old.agentPid)"]
        )
        let alive = { ChildProcess.startTime(of: child.pid) == startTime && Supervisor.isLive(child.pid) }
        if settings.shutdownGrace > .zero {
            killpg(child.pid, SIGTERM)
            let deadline = ContinuousClock.now + settings.shutdownGrace
            while alive(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        }
        killpg(child.pid, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while alive(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Whether a process (not our child, so it cannot be waited for) is alive and not a zombie.
    static func isLive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat").map({ String(decoding: $0, as: UTF8.self) }),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }
}
