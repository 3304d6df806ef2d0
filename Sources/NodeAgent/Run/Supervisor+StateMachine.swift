import Glibc

extension Supervisor {
    /// The supervisor's decisions: events in, actions out. No I/O, no clock, no tasks.
    ///
    /// ```mermaid
    /// stateDiagram-v2
    ///     [*] --> idle
    ///     idle --> preflight: start / checkPlan
    ///     preflight --> spawning: no pending plan / spawn
    ///     preflight --> preflightGate: pending plan / queryHeight
    ///     preflightGate --> upgrading: height reached (fix 2: before any child)
    ///     preflightGate --> spawning: not reached / spawn(--halt-height H)
    ///     spawning --> running: childSpawned
    ///     spawning --> finished: spawnFailed / exit 1
    ///     running --> running: planObserved, tick / queryHeight
    ///     running --> stopping: height reached / TERM+timer or KILL
    ///     running --> stopping: new future plan / restart with --halt-height
    ///     running --> exited: childExited / checkPlan
    ///     running --> draining: childExited / drainGroup
    ///     stopping --> stopping: graceElapsed / KILL
    ///     stopping --> draining: childExited (reaped) / drainGroup
    ///     draining --> exited: groupDrained after an exit of its own / checkPlan
    ///     draining --> upgrading: groupDrained after a stop for the plan / first step
    ///     draining --> spawning: groupDrained after a stop to reschedule / spawn(--halt-height H)
    ///     exited --> upgrading: pending plan, height reached
    ///     exited --> finished: otherwise / exit 0 or 1
    ///     upgrading --> upgrading: stepSucceeded / next step (delay, backup, script, switch, pre-upgrade)
    ///     upgrading --> preflight: done, restart on / checkPlan
    ///     upgrading --> finished: done and restart off, or stepFailed / exit
    ///     running --> stopping: controlRequested (switch, restart) / TERM+timer or KILL
    ///     draining --> switching: groupDrained after a stop for a switch / switchRelease
    ///     draining --> preflight: groupDrained after a stop for a restart / checkPlan
    ///     switching --> preflight: releaseSwitched, restart on / checkPlan (answer once settled)
    ///     switching --> parked: releaseSwitched with --no-restart / answer
    ///     parked --> switching: controlRequested (switch) / switchRelease
    ///     parked --> preflight: controlRequested (restart) / checkPlan
    ///     running --> draining: child started by a switch exits before it is up / drainGroup
    ///     draining --> switching: groupDrained after that exit / switchRelease back (answer: failed)
    ///     running --> stopping: child started by a switch never up within the bound / TERM+timer or KILL
    ///     stopping --> switching: drained / switchRelease back (answer: failed)
    ///     finished --> [*]
    /// ```
    ///
    /// Control requests (`node-agent switch`, `restart`) are events like any other: one is accepted only
    /// while the child runs (or is parked) and no upgrade, switch or shutdown is under way; any other
    /// is answered `busy` and changes nothing. A switched child is answered for once it is up
    /// (`childSettled`: its RPC answers with a height, or it survived the settle time when the node had no
    /// answering RPC); if it exits first, or is not up within the bound (`childNeverUp`, then it is
    /// stopped), `current` is switched back and the old release restarted.
    ///
    /// TERM, INT and QUIT are forwarded to the child's group and end the loop once the child has exited;
    /// HUP is only forwarded. A signal during an upgrade lets the current upgrade finish, then exits.
    /// Nothing new starts while a process of the previous child's group is alive (`draining`).
    ///
    /// The manual schedule arrives as `scheduleObserved`: the machine passes its next height as
    /// `--halt-height` (the lower of it and a pending plan's), and a plan on the schedule is never applied
    /// without a known height ≥ H−1, since the node did not write it.
    /// Events that arrive late (a height answer for a plan no longer waited for, a grace timer for a
    /// child already reaped, a watcher event while upgrading) are real races and are ignored.
    struct StateMachine {
        enum AfterStop: Equatable {
            case upgrade(RunPlan)
            case respawn(haltHeight: Int64?)
            /// Stopped for a control request.
            case control(ControlOperation)
        }

        /// A control request the machine accepted, until it is answered.
        struct ControlOperation: Equatable {
            var id: Int
            var command: ControlCommand
            /// Set while switching back after the switched child did not come up (why).
            var revertingAfter: SwitchBackReason?
        }

        /// What comes once the exited child's group is empty.
        enum AfterDrain: Equatable {
            /// It exited by itself: look for a plan.
            case exited
            /// It was stopped by us.
            case stopped(AfterStop)
            /// The child a switch started exited before settling: switch back.
            case revert(ControlOperation)
        }

        // Internal (not private) so the control transitions can live in Supervisor+StateMachineControl.swift.
        enum State: Equatable {
            case idle
            case preflight
            case preflightGate(RunPlan)
            case spawning(haltHeight: Int64?)
            case running(pid: Int32, haltHeight: Int64?, gate: RunPlan?)
            case stopping(pid: Int32, then: AfterStop, killed: Bool)
            case draining(pgid: Int32, status: ChildExit, then: AfterDrain)
            case exited(ChildExit, gate: RunPlan?)
            case upgrading(RunPlan, UpgradeStep)
            case switching(ControlOperation)
            case parked
            case finished
        }

        var state: State = .idle
        let settings: Settings
        var applied: AppliedUpgrade = .genesis
        var pending: RunPlan?
        private var pendingIsFresh = false
        private var lastProblem: AgentError?
        private var skippedLogged: Set<RunPlan> = []
        var shutdownRequested = false
        /// The accepted control request waiting for its child to settle.
        var awaitingUp: ControlOperation?
        private var deferredSignal: Int32?
        private var upgradesApplied: [String] = []
        /// The manual schedule as last observed, ascending by height.
        private var schedule: [ScheduledUpgrade] = []
        /// The highest height any source reported.
        private var lastHeight: Int64?

        init(settings: Settings) {
            self.settings = settings
        }

        /// The part of the state the runtime state file shows.
        var snapshot: Snapshot {
            var pid: Int32?
            var halt: Int64?
            let phase: Phase
            switch state {
            case .idle: phase = .starting
            case .preflight, .preflightGate: phase = .checking
            case .spawning(let h): phase = .startingChild; halt = h
            case .running(let p, let h, _): phase = .running; pid = p; halt = h
            case .stopping(let p, _, _): phase = .stopping; pid = p
            case .draining: phase = .draining
            case .exited: phase = .childExited
            case .upgrading(_, let step): phase = .upgrading(step)
            case .switching: phase = .switching
            case .parked: phase = .parked
            case .finished: phase = .finished
            }
            return Snapshot(
                phase: phase,
                childPid: pid,
                haltHeight: halt,
                pendingPlan: pending,
                applied: applied,
                upgradesApplied: upgradesApplied,
                lastHeight: lastHeight
            )
        }

        /// Feeds one event and returns what to do, in order.
        mutating func handle(_ event: Event) -> [Action] {
            var actions = decide(event)
            // A request still waiting when the loop ends gets its answer before the exit.
            if state == .finished, let operation = awaitingUp {
                awaitingUp = nil
                let answer = Action.answer(id: operation.id, .failed("the agent is exiting; the node is stopped"))
                actions.insert(answer, at: actions.firstIndex { if case .exit = $0 { true } else { false } } ?? 0)
            }
            return actions
        }

        private mutating func decide(_ event: Event) -> [Action] {
            switch event {
            case .start(let record):
                guard state == .idle else { preconditionFailure("\(event) in \(state)") }
                applied = record
                state = .preflight
                return [.checkPlan]
            case .planObserved(let observation):
                return planObserved(observation)
            case .scheduleObserved(let entries):
                schedule = entries.sorted { $0.height < $1.height }
                return liftStaleHalt()
            case .heightObserved(let plan, let height):
                if let height { lastHeight = max(lastHeight ?? height, height) }
                return heightObserved(plan, height)
            case .tick:
                guard case .running(let pid, let halt, nil) = state, let plan = pending else { return [] }
                state = .running(pid: pid, haltHeight: halt, gate: plan)
                return [.queryHeight(plan)]
            case .childSpawned(let pid):
                guard case .spawning(let halt) = state else { preconditionFailure("\(event) in \(state)") }
                state = .running(pid: pid, haltHeight: halt, gate: nil)
                let settle: [Action] = awaitingUp.map { [.awaitUp(id: $0.id, pid: pid)] } ?? []
                // A schedule removed while the child restarted for it (a rolled-back `fleet schedule` removes the
                // plan right after adding it) left the new child a halt nobody wants: lift it now.
                guard let signal = deferredSignal else { return settle + (awaitingUp == nil ? liftStaleHalt() : []) }
                deferredSignal = nil
                return settle + [.signalGroup(pid: pid, signal: signal)]
            case .spawnFailed(let message):
                state = .finished
                return [.exit(code: 1, error: message)]
            case .childExited(let status):
                return childExited(status)
            case .groupDrained(let pgid):
                return groupDrained(pgid)
            case .graceElapsed(let pid):
                guard case .stopping(pid, let then, false) = state else { return [] }
                state = .stopping(pid: pid, then: then, killed: true)
                return [.log(.graceExceeded), .signalGroup(pid: pid, signal: SIGKILL)]
            case .signalReceived(let signal):
                return signalReceived(signal)
            case .stepSucceeded(let step):
                guard case .upgrading(let plan, step) = state else { preconditionFailure("\(event) in \(state)") }
                if step == .switchBinary {
                    applied = AppliedUpgrade(name: plan.name, height: plan.height)
                    upgradesApplied.append(plan.name)
                    pending = nil
                }
                return next(after: step, plan)
            case .stepFailed(let step, let message):
                guard case .upgrading(_, step) = state else { preconditionFailure("\(event) in \(state)") }
                state = .finished
                return [.exit(code: 1, error: message)]
            case .preUpgradeExited(let status):
                guard case .upgrading(let plan, .preUpgrade(let attempt)) = state else {
                    preconditionFailure("\(event) in \(state)")
                }
                return preUpgradeExited(status, attempt: attempt, plan)
            case .controlRequested(let id, let command):
                return controlRequested(id: id, command)
            case .releaseSwitched:
                return releaseSwitched()
            case .releaseSwitchFailed(let message):
                return releaseSwitchFailed(message)
            case .childSettled(let pid):
                guard case .running(pid, _, _) = state, let operation = awaitingUp else { return [] }
                awaitingUp = nil
                return [.answer(id: operation.id, .up(pid: pid))]
            case .childNeverUp(let pid, let bound):
                return childNeverUp(pid: pid, bound: bound)
            }
        }

        // MARK: - Detection and the height gate

        /// Whether a plan still has to be applied: not the applied one, later than it, not skipped.
        private mutating func pendingPlan(from observation: PlanObservation) -> (plan: RunPlan?, notices: [Action]) {
            switch observation {
            case .missing:
                lastProblem = nil
                return (nil, [])
            case .invalid(let problem):
                defer { lastProblem = problem }
                return (nil, problem == lastProblem ? [] : [.log(.invalidPlan(problem))])
            case .plan(let plan, let fresh):
                lastProblem = nil
                pendingIsFresh = fresh
                guard plan.name.lowercased() != applied.name.lowercased(), plan.height > applied.height else {
                    return (nil, [])
                }
                if settings.skipHeights.contains(plan.height) {
                    return (nil, skippedLogged.insert(plan).inserted ? [.log(.planSkipped(plan))] : [])
                }
                return (plan, [])
            }
        }

        /// The gate: the node has committed the block before the upgrade height (x/upgrade and
        /// `--halt-height` both stop before executing H; CometBFT's block store may already show H).
        ///
        /// When no source knows the height and the child has exited after writing the file during its run,
        /// the file is trusted: that is the node failing at its upgrade height, and refusing it is the
        /// crash loop of cosmos-sdk #22731/#25097. A plan written before the child started never passes
        /// without a height (#22167), nor does a plan from the manual schedule: the node did not write it,
        /// so its exit says nothing about the height (an unrelated crash must not switch early).
        private func isDue(_ plan: RunPlan, height: Int64?, childGone: Bool = false) -> Bool {
            guard let height else { return childGone && pendingIsFresh && !isScheduled(plan) }
            return height + 1 >= plan.height
        }

        /// Whether the operator scheduled `plan` (by name), rather than the node writing it at its height.
        private func isScheduled(_ plan: RunPlan) -> Bool {
            schedule.contains { $0.name.lowercased() == plan.name.lowercased() }
        }

        /// The lowest scheduled height above what is known to be committed and applied, for `--halt-height`.
        private var scheduledHalt: Int64? {
            let floor = max(lastHeight ?? 0, applied.height)
            return schedule.first { $0.height > floor && $0.name.lowercased() != applied.name.lowercased() }?.height
        }

        private mutating func planObserved(_ observation: PlanObservation) -> [Action] {
            let (plan, notices) = pendingPlan(from: observation)
            switch state {
            case .preflight:
                pending = plan
                guard let plan else { return notices + spawn(haltHeight: nil) }
                state = .preflightGate(plan)
                return notices + [.queryHeight(plan)]
            case .running(let pid, let halt, let gate):
                pending = plan
                guard let plan else { return notices + liftStaleHalt() }
                guard gate == nil else { return notices }
                state = .running(pid: pid, haltHeight: halt, gate: plan)
                return notices + [.queryHeight(plan)]
            case .exited(let status, nil):
                pending = plan
                guard let plan else { return notices + finish(status) }
                state = .exited(status, gate: plan)
                return notices + [.queryHeight(plan)]
            case .spawning, .stopping(_, .respawn(_), _), .draining(_, _, .stopped(.respawn(_))):
                // The plan removed while the child restarts: forgotten, so the next child's halt is lifted.
                if plan == nil { pending = nil }
                return notices
            default:
                return notices
            }
        }

        private mutating func heightObserved(_ plan: RunPlan, _ height: Int64?) -> [Action] {
            switch state {
            case .preflightGate(plan):
                if isDue(plan, height: height) { return beginUpgrade(plan) }
                return [.log(.planScheduled(plan))] + spawn(haltHeight: plan.height)
            case .running(let pid, let halt, plan):
                state = .running(pid: pid, haltHeight: halt, gate: nil)
                // The plan went away while its height was asked for: the halt it set may be stale now.
                guard pending == plan else { return liftStaleHalt() }
                if isDue(plan, height: height) {
                    return stop(pid: pid, then: .upgrade(plan))
                }
                // Restart only a child that would run past the plan; one halting at or before it already stops.
                if height != nil, (halt ?? .max) > plan.height, !shutdownRequested {
                    return [.log(.planScheduled(plan))] + stop(pid: pid, then: .respawn(haltHeight: plan.height))
                }
                return []
            case .exited(let status, plan):
                if isDue(plan, height: height, childGone: true) { return beginUpgrade(plan) }
                return finish(status)
            default:
                return []
            }
        }

        /// A running child halting below every height still wanted (its schedule entry and plan were
        /// removed: `remove-upgrade`, `fleet schedule --cancel`) would stop the node for nothing: restart
        /// it with the halt height it needs now, if any.
        private mutating func liftStaleHalt() -> [Action] {
            guard case .running(let pid, let halt?, nil) = state, !shutdownRequested else { return [] }
            let wanted = [pending?.height, scheduledHalt].compactMap { $0 }.min()
            guard wanted.map({ $0 > halt }) ?? true else { return [] }
            return [.log(.haltLifted(halt))] + stop(pid: pid, then: .respawn(haltHeight: wanted))
        }

        // MARK: - The child

        mutating func spawn(haltHeight: Int64?) -> [Action] {
            if shutdownRequested {
                state = .finished
                return [.exit(code: 0, error: nil)]
            }
            let halt = [haltHeight, scheduledHalt].compactMap { $0 }.min()
            state = .spawning(haltHeight: halt)
            return [.spawn(haltHeight: halt)]
        }

        mutating func stop(pid: Int32, then: AfterStop) -> [Action] {
            state = .stopping(pid: pid, then: then, killed: !settings.shutdownGrace)
            if settings.shutdownGrace {
                return [
                    .log(.shuttingDown), .log(.sentInterrupt), .signalGroup(pid: pid, signal: SIGTERM),
                    .startGraceTimer(pid: pid),
                ]
            }
            return [.log(.shuttingDown), .signalGroup(pid: pid, signal: SIGKILL)]
        }

        private mutating func childExited(_ status: ChildExit) -> [Action] {
            switch state {
            case .running(let pid, _, _):
                // Whatever is left of the child's group goes before anything else happens.
                state = .draining(pgid: pid, status: status, then: .exited)
                return childExitedBeforeSettling(status) + [.drainGroup(pgid: pid)]
            case .stopping(let pid, let then, let killed):
                state = .draining(pgid: pid, status: status, then: .stopped(then))
                return (killed ? [] : [.log(.exitedNormally)]) + [.drainGroup(pgid: pid)]
            default:
                preconditionFailure("childExited(\(status)) in \(state)")
            }
        }

        private mutating func groupDrained(_ pgid: Int32) -> [Action] {
            guard case .draining(pgid, let status, let then) = state else { return [] }
            switch then {
            case .exited:
                if shutdownRequested {
                    state = .finished
                    return [.exit(code: shutdownCode(status), error: nil)]
                }
                state = .exited(status, gate: nil)
                return [.checkPlan]
            case .stopped(let then):
                if shutdownRequested {
                    state = .finished
                    return [.exit(code: 0, error: nil)]
                }
                switch then {
                case .upgrade(let plan): return beginUpgrade(plan)
                case .respawn(let halt): return spawn(haltHeight: halt)
                case .control(let operation): return controlStopped(operation)
                }
            case .revert(let operation):
                return controlStopped(operation)
            }
        }

        private func shutdownCode(_ status: ChildExit) -> Int32 {
            switch status {
            case .exited(0), .signaled(SIGTERM), .signaled(SIGINT), .signaled(SIGQUIT): return 0
            default: return 1
            }
        }

        private mutating func finish(_ status: ChildExit) -> [Action] {
            state = .finished
            if status.isSuccess { return [.exit(code: 0, error: nil)] }
            return [.exit(code: 1, error: status.description)]
        }

        private mutating func signalReceived(_ signal: Int32) -> [Action] {
            let terminating = signal != SIGHUP
            switch state {
            case .running(let pid, _, _), .stopping(let pid, _, _):
                if terminating { shutdownRequested = true }
                return [.signalGroup(pid: pid, signal: signal)]
            case .spawning:
                if terminating { shutdownRequested = true }
                deferredSignal = signal
                return []
            case .upgrading, .draining, .switching:
                if terminating { shutdownRequested = true }
                return []
            case .idle, .preflight, .preflightGate, .exited, .parked:
                guard terminating else { return [] }
                state = .finished
                return [.exit(code: 0, error: nil)]
            case .finished:
                return []
            }
        }
    }
}
