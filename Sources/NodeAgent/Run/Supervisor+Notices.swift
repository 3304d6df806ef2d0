import Glibc
import Logging

extension Supervisor {
    /// Renders the machine's notices with cosmovisor's exact message text (§7.1).
    func log(_ notice: StateMachine.Notice) {
        switch notice {
        case .invalidPlan(let problem):
            logger.error(
                "ignoring invalid upgrade-info.json, still supervising",
                metadata: ["error": "\(problem)", "file": "\(configuration.upgradeInfoPath)"]
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
        case .haltLifted(let height):
            logger.info(
                "scheduled upgrade removed, restarting app without its --halt-height", metadata: ["height": "\(height)"]
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
            logger.error(
                "pre-upgrade command failed. retrying",
                metadata: ["attempt": "\(attempt)", "error": "\(status)"]
            )
        case .relaunching:
            logger.info("upgrade detected, relaunching", metadata: ["app": "\(configuration.daemonName)"])
        case .restartOff:
            logger.info(
                "upgrade detected, DAEMON_RESTART_AFTER_UPGRADE is off. Please verify the new upgrade and start cosmovisor again."
            )
        case .switchBackFailed(let message):
            logger.error(
                "switching back to the previous release failed, the node stays stopped",
                metadata: ["error": "\(message)"]
            )
        }
    }
}
