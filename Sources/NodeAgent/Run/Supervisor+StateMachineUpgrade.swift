import Glibc

// MARK: - Applying an upgrade

extension Supervisor.StateMachine {
    var steps: [UpgradeStep] {
        var steps: [UpgradeStep] = []
        if settings.restartDelay { steps.append(.delay) }
        if settings.backup { steps.append(.backup) }
        if settings.customPreUpgrade { steps.append(.customPreUpgrade) }
        if settings.download { steps.append(.download) }
        return steps + [.switchBinary, .preUpgrade(attempt: 0)]
    }

    mutating func beginUpgrade(_ plan: RunPlan) -> [Action] {
        pending = plan
        return start(steps[0], plan)
    }

    mutating func start(_ step: UpgradeStep, _ plan: RunPlan) -> [Action] {
        if case .preUpgrade(let attempt) = step, attempt > settings.preUpgradeMaxRetries {
            state = .finished
            let max = settings.preUpgradeMaxRetries
            return [.exit(code: 1, error: "pre-upgrade command failed. reached max attempt of retries - \(max)")]
        }
        state = .upgrading(plan, step)
        return [.runStep(step, plan)]
    }

    mutating func next(after step: UpgradeStep, _ plan: RunPlan) -> [Action] {
        let all = steps
        guard let index = all.firstIndex(of: step), index + 1 < all.count else {
            preconditionFailure("no step after \(step)")
        }
        return start(all[index + 1], plan)
    }

    mutating func preUpgradeExited(_ status: ChildExit, attempt: Int, _ plan: RunPlan) -> [Action] {
        switch status {
        case .exited(0):
            return [.log(.preUpgradeSucceeded)] + upgradeDone()
        case .exited(1):
            return [.log(.preUpgradeNotImplemented)] + upgradeDone()
        case .exited(30):
            state = .finished
            return [.exit(code: 1, error: "pre-upgrade command failed : exit status 30")]
        case .exited(31):
            let counter = attempt + 1
            return [.log(.preUpgradeRetrying(attempt: counter, status: status))]
                + start(.preUpgrade(attempt: counter), plan)
        default:
            // cosmovisor treats every other failure as success (§5.6); kept for compatibility.
            return [.log(.preUpgradeSucceeded)] + upgradeDone()
        }
    }

    mutating func upgradeDone() -> [Action] {
        if shutdownRequested {
            state = .finished
            return [.exit(code: 0, error: nil)]
        }
        guard settings.restartAfterUpgrade else {
            state = .finished
            return [.log(.restartOff), .exit(code: 0, error: nil)]
        }
        state = .preflight
        return [.log(.relaunching), .checkPlan]
    }
}
