import FleetCore
import Glibc

extension Supervisor.StateMachine {
    /// The settings that change decisions (all I/O parameters stay in the shell).
    struct Settings: Sendable, Equatable {
        /// `DAEMON_RESTART_AFTER_UPGRADE`.
        var restartAfterUpgrade = true
        /// `DAEMON_RESTART_DELAY` > 0.
        var restartDelay = false
        /// `DAEMON_SHUTDOWN_GRACE` > 0: TERM first, KILL when the grace runs out (for the child, and for
        /// what is left of its group once it has exited).
        var shutdownGrace = false
        /// Not `UNSAFE_SKIP_BACKUP`.
        var backup = true
        /// `COSMOVISOR_CUSTOM_PREUPGRADE` is set.
        var customPreUpgrade = false
        /// `DAEMON_ALLOW_DOWNLOAD_BINARIES`: a missing upgrade binary is downloaded before the switch.
        var download = false
        /// `DAEMON_PREUPGRADE_MAX_RETRIES`.
        var preUpgradeMaxRetries = 0
        /// Heights from the child's `--unsafe-skip-upgrades`.
        var skipHeights: Set<Int64> = []
    }

    /// The upgrade `current` points at (`current/upgrade-info.json`); empty name and height 0 at genesis.
    struct AppliedUpgrade: Sendable, Equatable {
        var name: String
        var height: Int64
        static let genesis = AppliedUpgrade(name: "", height: 0)
    }

    /// One step of applying an upgrade, in cosmovisor's order (§5.2 step 7).
    enum UpgradeStep: Sendable, Equatable, Hashable, CustomStringConvertible {
        case delay
        case backup
        case customPreUpgrade
        case download
        case switchBinary
        /// `<new bin> pre-upgrade`; `attempt` counts failures so far (cosmovisor's `counter`).
        case preUpgrade(attempt: Int)

        var description: String {
            switch self {
            case .delay: return "delay"
            case .backup: return "backup"
            case .customPreUpgrade: return "custom-pre-upgrade"
            case .download: return "download"
            case .switchBinary: return "switch"
            case .preUpgrade: return "pre-upgrade"
            }
        }
    }

    /// One entry of the manual schedule (`cosmovisor/.node-agent/manual-upgrades.json`): an upgrade the
    /// operator (`add-upgrade --upgrade-height`, `add-batch-upgrade`, `fleet schedule`) fixed at a height.
    struct ScheduledUpgrade: Sendable, Equatable {
        /// The name, recased as its directory is.
        var name: String
        var height: Int64
    }

    /// Where the supervisor is; the state file shows it as ``Supervisor/publicState(_:)``.
    enum Phase: Sendable, Equatable, CustomStringConvertible {
        case starting
        case checking
        case startingChild
        case running
        case stopping
        /// The child has exited; what is left of its group is being stopped.
        case draining
        case childExited
        case upgrading(UpgradeStep)
        /// A control request is pointing `current` at another release.
        case switching
        /// The child was stopped on request (`switch --no-restart`); a `restart` or `switch` starts it.
        case parked
        case finished

        var description: String {
            switch self {
            case .starting: return "starting"
            case .checking: return "checking"
            case .startingChild: return "starting-child"
            case .running: return "running"
            case .stopping: return "stopping"
            case .draining: return "draining"
            case .childExited: return "child-exited"
            case .upgrading(let step): return "upgrading:\(step)"
            case .switching: return "switching"
            case .parked: return "parked"
            case .finished: return "finished"
            }
        }
    }

    /// What reading `data/upgrade-info.json` gave.
    enum PlanObservation: Sendable, Equatable {
        case missing
        case invalid(AgentError)
        /// A valid plan; `writtenSinceSpawn` when the file changed after the last child started
        /// (the node wrote it at its upgrade height, or a plan was added while it ran).
        case plan(RunPlan, writtenSinceSpawn: Bool)
    }

    /// Everything that can happen to the supervisor.
    enum Event: Sendable, Equatable {
        /// The shell is ready; `applied` is the current-upgrade record.
        case start(applied: AppliedUpgrade)
        /// `data/upgrade-info.json` was read (after an inotify event, a changed stat, or a `checkPlan`).
        case planObserved(PlanObservation)
        /// The manual schedule was read (with every `planObserved` the shell produces); the machine adds
        /// its next height to the child's `--halt-height` and never applies one of its plans on trust.
        case scheduleObserved([ScheduledUpgrade])
        /// The node's height, `nil` when no source could tell.
        case heightObserved(RunPlan, Int64?)
        /// The poll interval elapsed.
        case tick
        case childSpawned(pid: Int32)
        case spawnFailed(String)
        case childExited(ChildExit)
        /// No process of the exited child's group `pgid` is left.
        case groupDrained(pgid: Int32)
        /// `DAEMON_SHUTDOWN_GRACE` ran out for the child with this pid.
        case graceElapsed(pid: Int32)
        /// TERM, INT, QUIT or HUP reached the agent.
        case signalReceived(Int32)
        case stepSucceeded(UpgradeStep)
        case stepFailed(UpgradeStep, String)
        case preUpgradeExited(ChildExit)
        /// A request on the control socket, already checked by the shell (the release exists and is
        /// executable); `id` names the connection waiting for the ``Action/answer(id:_:)``.
        case controlRequested(id: Int, ControlCommand)
        /// `current` now selects the release a ``Action/switchRelease(_:applied:)`` named.
        case releaseSwitched
        /// Pointing `current` at the release failed; `current` is unchanged.
        case releaseSwitchFailed(String)
        /// The child with this pid, started by a control request, is up: its RPC answered with a height
        /// (or, when the node's RPC was not answering before the request, it ran for the settle time).
        case childSettled(pid: Int32)
        /// The child with this pid, started by a control request, was not up within `bound`.
        case childNeverUp(pid: Int32, bound: Duration)
    }

    /// Why a switched child is being switched back.
    enum SwitchBackReason: Sendable, Equatable {
        /// It exited before it was up.
        case exited(ChildExit)
        /// It was still not up when the bound passed (it was stopped).
        case neverUp(Duration)
    }

    /// What a control request asks for.
    enum ControlCommand: Sendable, Equatable {
        /// Stop the child, point `current` at `to` (`from` is what it selects now, the way back), and start
        /// the child again unless `restart` is false.
        case switchRelease(from: CurrentSelection, to: CurrentSelection, restart: Bool)
        /// Stop the child and start it again.
        case restart
    }

    /// How a control request ended; the shell renders it as the answer document.
    enum ControlAnswer: Sendable, Equatable {
        /// Refused and nothing changed: an upgrade, a switch or a shutdown is in progress (`busy`).
        case busy(String)
        /// Done: the child with this pid is up (its RPC answers, or it survived the settle time).
        case up(pid: Int32)
        /// Done with `--no-restart`: `current` switched and the node is left stopped.
        case parked
        /// Not done; the sentence says what happened and what state the node is left in.
        case failed(String)
    }

    /// Decisions worth a log line; the shell renders them with cosmovisor's exact text.
    enum Notice: Sendable, Equatable {
        case invalidPlan(AgentError)
        case planSkipped(RunPlan)
        case planScheduled(RunPlan)
        /// The child's `--halt-height` is no longer wanted (its plan was removed): restarted without it.
        case haltLifted(Int64)
        case shuttingDown
        case sentInterrupt
        case exitedNormally
        case graceExceeded
        case preUpgradeSucceeded
        case preUpgradeNotImplemented
        case preUpgradeRetrying(attempt: Int, status: ChildExit)
        case relaunching
        case restartOff
        /// Switching back after a switched node exited at start failed; the node stays stopped.
        case switchBackFailed(String)
    }

    /// What the shell must do.
    enum Action: Sendable, Equatable {
        /// Read `data/upgrade-info.json` now and answer with `planObserved`.
        case checkPlan
        /// Ask the node's height and answer with `heightObserved`.
        case queryHeight(RunPlan)
        /// Start `current/bin/<daemon>` with the run arguments, plus `--halt-height H` when given.
        case spawn(haltHeight: Int64?)
        /// The child (leader of group `pgid`) has been reaped: stop what is left of its group (TERM, then
        /// KILL after `DAEMON_SHUTDOWN_GRACE`; KILL at once without a grace), signalling only while a member
        /// exists, and answer with `groupDrained`.
        case drainGroup(pgid: Int32)
        /// Send a signal to the child's whole process group.
        case signalGroup(pid: Int32, signal: Int32)
        /// Answer with `graceElapsed(pid:)` after `DAEMON_SHUTDOWN_GRACE`.
        case startGraceTimer(pid: Int32)
        /// Perform one upgrade step and answer with `stepSucceeded`/`stepFailed` (`preUpgradeExited` for pre-upgrade).
        case runStep(UpgradeStep, RunPlan)
        case log(Notice)
        /// Point `current` at a release (atomically) and answer with `releaseSwitched`/`releaseSwitchFailed`;
        /// `applied` is the upgrade that stays applied (the release's record gets it, so a restarted agent
        /// does not apply that upgrade again).
        case switchRelease(CurrentSelection, applied: AppliedUpgrade)
        /// Find out whether the child with this pid, started for control request `id`, comes up: answer with
        /// `childSettled(pid:)` once it is, or `childNeverUp(pid:bound:)` when the bound passes first.
        case awaitUp(id: Int, pid: Int32)
        /// Send this answer to the control connection `id`.
        case answer(id: Int, ControlAnswer)
        /// Stop supervising and exit with this code; `error` is printed as `Error: …`.
        case exit(code: Int32, error: String?)
    }

    /// What the state file shows (`node-agent status --json` reads it from another process).
    struct Snapshot: Sendable, Equatable {
        var phase: Phase
        var childPid: Int32?
        var haltHeight: Int64?
        var pendingPlan: RunPlan?
        var applied: AppliedUpgrade
        var upgradesApplied: [String]
        /// The highest chain height any source reported.
        var lastHeight: Int64? = nil
    }
}

extension Supervisor.StateMachine.Settings {
    /// Heights from cosmovisor's `--unsafe-skip-upgrades` in the child's args (§5.11, FleetCore ``SkipHeights``).
    static func skipHeights(in args: [String]) -> Set<Int64> {
        Set(SkipHeights.parse(args))
    }
}
