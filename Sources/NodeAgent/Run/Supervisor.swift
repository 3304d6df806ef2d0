import Dispatch
import FleetCore
import Foundation
import Glibc
import Logging

/// The thin shell around ``Supervisor/StateMachine``: it turns the child's exit, the inotify watcher, the
/// poll timer, signals, timers and finished steps into events on one stream, and executes the machine's
/// actions. All decisions happen in ``run()``'s one task, so there are no locks around the machine.
///
/// ```swift
/// let configuration = try AgentConfiguration.fromEnvironment(environment)
/// let supervisor = Supervisor(configuration: configuration, arguments: ["start", "--home", home], logger: logger)
/// let code = await supervisor.run()
/// ```
final class Supervisor {
    /// What flows on the event stream: machine events and raw wake-ups the shell turns into events.
    enum Input: Sendable {
        case event(StateMachine.Event)
        case fileChanged
        case pollTick
        /// A `switch` or `restart` from the control socket.
        case control(ControlCall)
    }

    /// Every setting, validated (cosmovisor's and the agent's own `NODE_AGENT_*`).
    let configuration: AgentConfiguration
    /// The child's arguments, verbatim.
    let arguments: [String]
    /// Test hook: the agent SIGKILLs itself after this step (`stop`, `backup`, `switch`, `pre-upgrade`).
    let crashAt: String?
    let logger: Logger
    let steps: UpgradeSteps
    /// Background flushes and state-file writes, off the switch path.
    let durability: DeferredDurability
    /// The decisions; owned by ``run()``'s task.
    var machine: StateMachine
    private var reader: PlanFileReader
    /// The runtime state file's content as last written.
    var record: AgentRuntimeState
    var childStarts = 0
    private var childStartedAt: timespec?
    /// When start-up pages are to be released (monotonic), set at each spawn; see ``StartupPageRelease``.
    private var pageReleaseDue: ContinuousClock.Instant?
    /// The manual schedule as last given to the machine.
    private var lastSchedule: [StateMachine.ScheduledUpgrade]?
    /// The agent's lock, held from the start of ``run()`` to the process's end and inherited by the node.
    private var lock: AgentLock?
    /// sd_notify(3) messages to systemd, when it gave a `NOTIFY_SOCKET` (`Supervisor+Systemd.swift`).
    lazy var systemd = SystemdNotifier(
        environment: ProcessInfo.processInfo.environment, pollInterval: configuration.pollInterval, logger: logger)
    let continuation: AsyncStream<Input>.Continuation
    private let inputs: AsyncStream<Input>
    /// What the control socket and the HTTP listener read (updated by ``saveState()``).
    let publication: AgentPublication
    /// Control requests accepted and not answered yet, by id.
    var pendingControl: [Int: PendingControl] = [:]
    var nextControlID = 0
    /// The node's RPC answered when a control request arrived: children started for later requests too
    /// must answer it before they count as up (also after `switch --no-restart` left the node stopped).
    var rpcKnown = false

    /// Creates the supervisor; nothing starts before ``run()``.
    init(configuration: AgentConfiguration, arguments: [String], logger: Logger, crashAt: String? = nil) {
        self.configuration = configuration
        self.arguments = arguments
        self.crashAt = crashAt
        self.logger = logger
        let durability = DeferredDurability()
        self.durability = durability
        self.steps = UpgradeSteps(configuration: configuration, logger: logger, durability: durability)
        self.machine = StateMachine(settings: configuration.machineSettings(arguments: arguments))
        self.reader = PlanFileReader(path: configuration.upgradeInfoPath, disableRecase: configuration.disableRecase)
        (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let now = AgentRuntimeState.timestamp(Date())
        record = AgentRuntimeState(
            pid: getpid(),
            startTicks: ProcFS.stat(of: getpid())?.startTicks,
            startedAt: now,
            version: FleetVersion.current,
            home: configuration.home,
            daemonName: configuration.daemonName,
            updatedAt: now,
            child: .init(state: "starting"),
            settings: configuration.settings
        )
        publication = AgentPublication(.init(record: record))
    }

    /// Supervises until the machine decides to exit; returns the process exit code (§5.13).
    func run() async -> Int32 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.dataDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            return fail("invalid path: \(configuration.dataDirectory) must be an existing directory")
        }
        do {
            lock = try AgentLock.acquire(AgentLock.path(in: configuration.layout))
        } catch {
            return fail(error.description)
        }
        if let refusal = await takeOverPreviousState() { return fail(refusal) }
        let pidFile = configuration.layout.pidFile
        try? AtomicFile.write(Data("\(getpid())\n".utf8), to: pidFile, durability: .deferred(durability))
        defer { unlink(pidFile) }
        do {
            _ = try CurrentLink.resolveOrCreateGenesis(configuration.layout, canonical: false)
        } catch {
            return fail("\(error)")
        }
        let continuation = self.continuation
        let signals = installSignalHandlers(continuation)
        let watcher =
            configuration.disableInotify
            ? nil
            : UpgradeFileWatcher(directory: configuration.dataDirectory, fileName: "upgrade-info.json") {
                continuation.yield(.fileChanged)
            }
        let control: ControlServer
        do {
            control = try startControlServer()
        } catch {
            return fail(error.description)
        }
        let http: HTTPServer?
        do {
            http = try configuration.listen.map { address throws(AgentError) in
                try HTTPServer.start(address, configuration: configuration, publication: publication)
            }
        } catch {
            control.stop()
            return fail(error.description)
        }
        defer {
            http?.stop()
            control.stop()
            watcher?.stop()
            signals.forEach { $0.cancel() }
        }
        return await withTaskGroup(of: Void.self) { group in
            let interval = configuration.pollInterval
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield(.pollTick)
                }
            }
            var code: Int32 = 1
            var queue: [StateMachine.Event] = []
            continuation.yield(.event(.start(applied: steps.appliedUpgrade())))
            var iterator = inputs.makeAsyncIterator()
            loop: while let input = await iterator.next() {
                switch input {
                case .event(let event): queue.append(event)
                case .control(let call): queue += acceptControl(call)
                case .fileChanged:
                    queue += observePlan(force: true)
                case .pollTick:
                    watcher?.rewatchIfNeeded()
                    promoteScheduledPlan()
                    releaseStartupPagesIfDue()
                    tickSystemd()
                    queue += observePlan(force: false)
                    queue.append(.tick)
                }
                while !queue.isEmpty {
                    let before = machine.snapshot.phase
                    let event = queue.removeFirst()
                    let actions = machine.handle(event)
                    if [.stopping, .draining, .childExited].contains(before),
                        case .upgrading = machine.snapshot.phase
                    {
                        crashHook("stop")
                    }
                    saveState()
                    for action in actions {
                        if case .spawn(let haltHeight) = action {
                            queue.append(await spawn(haltHeight: haltHeight, group: &group))
                            continue
                        }
                        if let exit = execute(action, group: &group, queue: &queue) {
                            code = exit
                            break loop
                        }
                    }
                }
            }
            group.cancelAll()
            // Requests that arrived after the last decision: the agent is gone before it could act on them.
            continuation.finish()
            while let input = await iterator.next() {
                if case .control(let call) = input {
                    call.reply.resume(returning: ControlReply(.busy, "the agent is exiting"))
                }
            }
            // The machine answers what it accepted before it exits; this is the guard against a connection
            // waiting forever if one is ever missed.
            for pending in pendingControl.values {
                pending.call.reply.resume(returning: ControlReply(.failed, "the agent exited; the node is stopped"))
            }
            pendingControl = [:]
            saveState()
            let durability = self.durability
            await BlockingWork.run { durability.flush() }
            return code
        }
    }

    // MARK: - Actions

    /// Executes one action; returns an exit code when the loop must end.
    private func execute(
        _ action: StateMachine.Action, group: inout TaskGroup<Void>, queue: inout [StateMachine.Event]
    )
        -> Int32?
    {
        let continuation = self.continuation
        switch action {
        case .checkPlan:
            promoteScheduledPlan()
            queue += observePlan(force: true)
        case .queryHeight(let plan):
            let source = HeightSource(
                rpcURL: configuration.rpcURL,
                binary: configuration.currentBinary,
                home: configuration.home
            )
            group.addTask { continuation.yield(.event(.heightObserved(plan, await source.height()))) }
        case .spawn:
            preconditionFailure("spawn is executed by run()")
        case .signalGroup(let pid, let signal):
            _ = ProcessGroupStop.signalIfPresent(pid, signal)
        case .drainGroup(let pgid):
            let grace = (configuration.shutdownGrace ?? .zero)
            let logger = self.logger
            group.addTask {
                let empty = await BlockingWork.run { ProcessGroupStop.stop(pgid, grace: grace) }
                if !empty {
                    logger.error("processes of the node's group survived SIGKILL", metadata: ["pgid": "\(pgid)"])
                }
                continuation.yield(.event(.groupDrained(pgid: pgid)))
            }
        case .startGraceTimer(let pid):
            let grace = (configuration.shutdownGrace ?? .zero)
            group.addTask {
                try? await Task.sleep(for: grace)
                continuation.yield(.event(.graceElapsed(pid: pid)))
            }
        case .runStep(.switchBinary, let plan):
            // Renames only (the flush is deferred), so it runs inline: one scheduling hop less on the switch path.
            do {
                try steps.switchBinary(plan)
                crashHook("switch")
                queue.append(.stepSucceeded(.switchBinary))
            } catch {
                queue.append(.stepFailed(.switchBinary, error.description))
            }
        case .runStep(let step, let plan):
            let steps = self.steps
            let crashAt = crashAt
            group.addTask {
                let event = await Supervisor.perform(step, plan, steps)
                if crashAt == step.description { kill(getpid(), SIGKILL) }
                continuation.yield(.event(event))
            }
        case .log(let notice):
            log(notice)
        case .switchRelease(let selection, let applied):
            // Renames only (the flush is deferred), so it runs inline like the upgrade's switch.
            do {
                try switchRelease(selection, applied: applied)
                queue.append(.releaseSwitched)
            } catch {
                queue.append(.releaseSwitchFailed(error.description))
            }
        case .awaitUp(let id, let pid):
            awaitUp(id: id, pid: pid, group: &group)
        case .answer(let id, let answer):
            answerControl(id: id, answer)
        case .exit(let code, let error):
            if let error { FileHandle.standardError.write(Data("Error: \(error)\n".utf8)) }
            return code
        }
        return nil
    }

    private static func perform(
        _ step: StateMachine.UpgradeStep, _ plan: RunPlan, _ steps: UpgradeSteps
    ) async
        -> StateMachine.Event
    {
        do {
            switch step {
            case .delay: await steps.delay()
            case .backup: try await steps.backup(plan)
            case .customPreUpgrade: try await steps.customPreUpgrade(plan)
            case .download: try await steps.downloadIfMissing(plan)
            case .switchBinary: try steps.switchBinary(plan)
            case .preUpgrade: return .preUpgradeExited(await steps.preUpgrade())
            }
            return .stepSucceeded(step)
        } catch {
            return .stepFailed(step, error.description)
        }
    }

    /// Reads the manual schedule and `data/upgrade-info.json`: the events for the machine (the schedule
    /// only when it changed; the plan only when it changed, unless `force`).
    private func observePlan(force: Bool) -> [StateMachine.Event] {
        var events: [StateMachine.Event] = []
        let entries = ((try? ManualUpgradeSchedule.read(from: configuration.layout.manualUpgradesFile))?.upgrades ?? [])
            .map { StateMachine.ScheduledUpgrade(name: $0.name, height: $0.height) }
        if entries != lastSchedule {
            lastSchedule = entries
            events.append(.scheduleObserved(entries))
        }
        if let observation = reader.read(force: force, childStartedAt: childStartedAt) {
            events.append(.planObserved(observation))
        } else if force {
            events.append(.planObserved(.missing))
        }
        return events
    }

    /// Starts the node: the state file is on disk first (synchronously, off the cooperative pool), and the
    /// child inherits the agent's lock, so a node outliving a killed agent still blocks a new one.
    private func spawn(haltHeight: Int64?, group: inout TaskGroup<Void>) async -> StateMachine.Event {
        // FleetCore's one reading of `current` (relative or absolute target, inside the layout, else an error).
        let resolved: String
        do {
            resolved = try CurrentLink.resolveOrCreateGenesis(configuration.layout, canonical: false)
            try AgentError.ensureExecutable(resolved)
        } catch {
            return .spawnFailed("current binary is invalid: \(error)")
        }
        saveState()
        let (state, path, durability) = (record, configuration.effectiveStateFile, self.durability)
        let written = await BlockingWork.run { () -> NodeFileError? in
            do throws(NodeFileError) {
                try durability.writeNow(state, to: path)
                return nil
            } catch {
                return error
            }
        }
        if let written { return .spawnFailed("writing the runtime state file before starting the node: \(written)") }
        var arguments = arguments
        if let haltHeight { arguments += ["--halt-height", "\(haltHeight)"] }
        logger.info("running app", metadata: ["args": .array(arguments.map { .string($0) }), "path": "\(resolved)"])
        let child: ChildProcess
        do {
            let inherited = lock.map { [$0.descriptor] } ?? []
            child = try ChildProcess.spawn(resolved, arguments: arguments, inheriting: inherited)
        } catch {
            return .spawnFailed("launching process \(resolved) \(arguments.joined(separator: " ")) failed: \(error)")
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        childStartedAt = now
        childStarts += 1
        pageReleaseDue = configuration.startupPageReleaseDelay.map { ContinuousClock.now + $0 }
        record.child.pid = child.pid
        record.child.startTicks = child.startTime
        record.child.startedAt = AgentRuntimeState.timestamp(Date())
        let continuation = self.continuation
        group.addTask { continuation.yield(.event(.childExited(await child.wait()))) }
        return .childSpawned(pid: child.pid)
    }

    /// Once a child has settled in `running`, the pages only start-up and the last upgrade used go back to
    /// the kernel (the idle agent's resident set is then what its loop touches).
    private func releaseStartupPagesIfDue() {
        guard let due = pageReleaseDue, ContinuousClock.now >= due, machine.snapshot.phase == .running else {
            return
        }
        pageReleaseDue = nil
        let advised = StartupPageRelease.release().map { "\($0)" } ?? "unsupported"
        logger.debug("released start-up pages", metadata: ["advised_bytes": "\(advised)"])
    }

    // MARK: - Signals, state file, crash hooks

    private func installSignalHandlers(_ continuation: AsyncStream<Input>.Continuation) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT, SIGQUIT, SIGHUP].map { signal in
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { continuation.yield(.event(.signalReceived(signal))) }
            source.resume()
            return source
        }
    }

    private func crashHook(_ step: String) {
        if crashAt == step { kill(getpid(), SIGKILL) }
    }

    private func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return 1
    }
}

/// Owned by the one task that runs ``Supervisor/run()``; never shared.
@available(*, unavailable)
extension Supervisor: Sendable {}
