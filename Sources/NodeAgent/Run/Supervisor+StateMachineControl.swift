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
            // Also an operation that was switching back: it is answered only once `current` is back.
            return [
                .answer(id: operation.id, .failed("the agent is shutting down; the node is stopped")),
                .exit(code: 0, error: nil),
            ]
        }
        switch operation.command {
        case .switchRelease(let from, let to, _):
            state = .switching(operation)
            return [.switchRelease(operation.revertingAfter == nil ? to : from, applied: applied)]
        case .restart:
            return relaunch(answering: operation)
        }
    }

    /// `current` was switched: start the child (answered once it is up), or park it.
    mutating func releaseSwitched() -> [Action] {
        guard case .switching(let operation) = state,
            case .switchRelease(let from, let to, let restart) = operation.command
        else { preconditionFailure("releaseSwitched in \(state)") }
        if let reason = operation.revertingAfter {
            let what = Self.text(reason, on: to)
            return [.answer(id: operation.id, .failed("\(what); switched back to \(from.name)"))]
                + relaunch(answering: nil)
        }
        guard restart else {
            state = .parked
            return [.answer(id: operation.id, .parked)]
        }
        return relaunch(answering: operation)
    }

    /// Pointing `current` at the release failed (it is unchanged): the previous release runs again.
    mutating func releaseSwitchFailed(_ message: String) -> [Action] {
        guard case .switching(let operation) = state,
            case .switchRelease(let from, let to, let restart) = operation.command
        else { preconditionFailure("releaseSwitchFailed in \(state)") }
        if let reason = operation.revertingAfter {
            state = .parked
            let what =
                "\(Self.text(reason, on: to)); switching back to \(from.name) failed: \(message); the node is stopped"
            return [.log(.switchBackFailed(message)), .answer(id: operation.id, .failed(what))]
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

    /// The child a control request started was not up within `bound`: a switched one is stopped (with the
    /// configured grace) and switched back; a restarted one is answered `failed` and left running (there
    /// is no other release to go back to).
    mutating func childNeverUp(pid: Int32, bound: Duration) -> [Action] {
        guard case .running(pid, _, _) = state, let operation = awaitingUp else { return [] }
        awaitingUp = nil
        switch operation.command {
        case .switchRelease:
            var back = operation
            back.revertingAfter = .neverUp(bound)
            return stop(pid: pid, then: .control(back))
        case .restart:
            let reason =
                "the node never answered its RPC within \(Self.text(bound)) after the restart; it keeps running"
            return [.answer(id: operation.id, .failed(reason))]
        }
    }

    /// Why a switched node is being switched back, as the answer says it.
    static func text(_ reason: SwitchBackReason, on release: CurrentSelection) -> String {
        switch reason {
        case .exited(let status): return "the node exited at start on \(release.name) (\(status))"
        case .neverUp(let bound):
            return "the node on \(release.name) never answered its RPC within \(text(bound)); stopped it"
        }
    }

    /// Whole seconds, as the answers show a bound (`60 s`).
    static func text(_ bound: Duration) -> String {
        "\(bound.components.seconds) s"
    }

    /// The child a control request started exited before it was up: a switched one is switched back
    /// (by ``groupDrained``), a restarted one is answered now and the exit takes its usual path.
    mutating func childExitedBeforeSettling(_ status: ChildExit) -> [Action] {
        guard let operation = awaitingUp, case .draining(let pgid, _, .exited) = state else { return [] }
        awaitingUp = nil
        switch operation.command {
        case .switchRelease:
            var back = operation
            back.revertingAfter = .exited(status)
            state = .draining(pgid: pgid, status: status, then: .revert(back))
            return []
        case .restart:
            return [.answer(id: operation.id, .failed("the node exited at start (\(status))"))]
        }
    }

    /// Starts the child again through the usual checks (a due plan is applied first), answering
    /// `operation` once the child is up.
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
