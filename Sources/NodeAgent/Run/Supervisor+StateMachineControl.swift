import FleetCore

// MARK: - Control requests (switch, restart)

extension Supervisor.StateMachine {
    /// A request from the control socket: accepted only while the child runs (or is parked) and nothing
    /// else is under way; otherwise answered `busy`, changing nothing.
    mutating func controlRequested(id: Int, _ command: ControlCommand) -> [Action] {
        let operation = ControlOperation(id: id, command: command)
        if awaitingUp != nil {
            return [.answer(id: id, .busy("another switch or restart is in progress"))]
        }
        if shutdownRequested {
            return [.answer(id: id, .busy("the agent is shutting down"))]
        }
        switch state {
        case .running(let pid, _, _):
            return stop(pid: pid, then: .control(operation))
        case .parked:
            return controlStopped(operation)
        case .stopping(_, .control, _), .draining(_, _, .stopped(.control)), .draining(_, _, .revert), .switching:
            return [.answer(id: id, .busy("another switch or restart is in progress"))]
        case .upgrading(let plan, let step):
            return [.answer(id: id, .busy("upgrade \(plan.name) is in progress (\(step))"))]
        case .stopping(_, .upgrade(let plan), _), .draining(_, _, .stopped(.upgrade(let plan))):
            return [.answer(id: id, .busy("upgrade \(plan.name) is in progress (stopping the node)"))]
        case .idle, .preflight, .preflightGate, .spawning, .stopping, .draining, .exited:
            return [.answer(id: id, .busy("the node is not running yet (\(snapshot.phase))"))]
        case .finished:
            return [.answer(id: id, .busy("the agent is exiting"))]
        }
    }

    /// The child is stopped (and its group drained) for `operation`: switch, or start it again.
    mutating func controlStopped(_ operation: ControlOperation) -> [Action] {
        if shutdownRequested {
            state = .finished
            // An operation that was switching back was answered when the switch back began.
            let answer: [Action] =
                operation.revertingAfter == nil
                ? [.answer(id: operation.id, .failed("the agent is shutting down; the node is stopped"))] : []
            return answer + [.exit(code: 0, error: nil)]
        }
        switch operation.command {
        case .switchRelease(let from, let to, _):
            state = .switching(operation)
            return [.switchRelease(operation.revertingAfter == nil ? to : from, applied: applied)]
        case .restart:
            return relaunch(answering: operation)
        }
    }

    /// `current` was switched: start the child (answered once it settles), or park it.
    mutating func releaseSwitched() -> [Action] {
        guard case .switching(let operation) = state,
            case .switchRelease(let from, let to, let restart) = operation.command
        else { preconditionFailure("releaseSwitched in \(state)") }
        if let status = operation.revertingAfter {
            let answer = Action.answer(
                id: operation.id,
                .failed("the node exited at start on \(to.name) (\(status)); switched back to \(from.name)")
            )
            return [answer] + relaunch(answering: nil)
        }
        guard restart else {
            state = .parked
            return [.answer(id: operation.id, .parked)]
        }
        return relaunch(answering: operation)
    }

    /// Pointing `current` at the release failed (it is unchanged): the previous release runs again.
    mutating func releaseSwitchFailed(_ message: String) -> [Action] {
        guard case .switching(let operation) = state, case .switchRelease(let from, _, let restart) = operation.command
        else { preconditionFailure("releaseSwitchFailed in \(state)") }
        if operation.revertingAfter != nil {
            state = .parked
            return [.log(.switchBackFailed(message))]
        }
        let answer = Action.answer(
            id: operation.id,
            .failed("switching current failed: \(message); \(from.name) is still current")
        )
        guard restart else {
            state = .parked
            return [answer]
        }
        return [answer] + relaunch(answering: nil)
    }

    /// The child a control request started exited before it settled: a switched one is switched back
    /// (by ``groupDrained``), a restarted one is answered now and the exit takes its usual path.
    mutating func childExitedBeforeSettling(_ status: ChildExit) -> [Action] {
        guard let operation = awaitingUp, case .draining(let pgid, _, .exited) = state else { return [] }
        awaitingUp = nil
        switch operation.command {
        case .switchRelease:
            var back = operation
            back.revertingAfter = status
            state = .draining(pgid: pgid, status: status, then: .revert(back))
            return []
        case .restart:
            return [.answer(id: operation.id, .failed("the node exited at start (\(status))"))]
        }
    }

    /// Starts the child again through the usual checks (a due plan is applied first), answering
    /// `operation` once the child has settled.
    private mutating func relaunch(answering operation: ControlOperation?) -> [Action] {
        awaitingUp = operation
        if shutdownRequested {
            state = .finished
            return [.exit(code: 0, error: nil)]
        }
        state = .preflight
        return [.checkPlan]
    }
}
