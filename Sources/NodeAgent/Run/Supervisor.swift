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
/// let arguments = ["start", "--home", home]
/// let settings = RunSettings(configuration: configuration, arguments: arguments, environment: environment)
/// let code = await Supervisor(settings: settings, logger: logger).run()
/// ```
final class Supervisor {
    /// What flows on the event stream: machine events and raw wake-ups the shell turns into events.
    enum Input: Sendable {
        case event(StateMachine.Event)
        case fileChanged
        case pollTick
    }

    let settings: RunSettings
    let logger: Logger
    private let steps: UpgradeSteps
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
    var lastKnownHeight: Int64?
    private let continuation: AsyncStream<Input>.Continuation
    private let inputs: AsyncStream<Input>

    /// Creates the supervisor; nothing starts before ``run()``.
    init(settings: RunSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let durability = DeferredDurability()
        self.durability = durability
        self.steps = UpgradeSteps(settings: settings, logger: logger, durability: durability)
        self.machine = StateMachine(settings: settings.machineSettings)
        self.reader = PlanFileReader(path: settings.upgradeInfoPath, disableRecase: settings.disableRecase)
        (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let now = AgentRuntimeState.timestamp(Date())
        record = AgentRuntimeState(
            pid: getpid(),
            startedAt: now,
            version: FleetVersion.current,
            home: settings.home,
            daemonName: settings.daemonName,
            updatedAt: now,
            child: .init(state: "starting"),
            settings: settings.renderedSettings
        )
    }

    /// Supervises until the machine decides to exit; returns the process exit code (§5.13).
    func run() async -> Int32 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.dataDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            return fail("invalid path: \(settings.dataDirectory) must be an existing directory")
        }
        if let refusal = await stopLeftoverChild() { return fail(refusal) }
        let pidFile = settings.layout.pidFile
        mkdir(settings.layout.agentDirectory, 0o755)
        try? AtomicFile.write(Data("\(getpid())\n".utf8), to: pidFile)
        defer { unlink(pidFile) }
        do {
            _ = try CurrentLink.resolveOrCreateGenesis(settings.layout, canonical: false)
        } catch {
            return fail("\(error)")
        }
        let continuation = self.continuation
        let signals = installSignalHandlers(continuation)
        let watcher =
            settings.disableInotify
            ? nil
            : UpgradeFileWatcher(directory: settings.dataDirectory, fileName: "upgrade-info.json") {
                continuation.yield(.fileChanged)
            }
        defer {
            watcher?.stop()
            signals.forEach { $0.cancel() }
        }
        return await withTaskGroup(of: Void.self) { group in
            let interval = settings.pollInterval
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield(.pollTick)
                }
            }
            var code: Int32 = 1
            var queue: [StateMachine.Event] = []
            continuation.yield(.event(.start(applied: steps.appliedUpgrade())))
            loop: for await input in inputs {
                switch input {
                case .event(let event): queue.append(event)
                case .fileChanged:
                    queue.append(.planObserved(reader.read(force: true, childStartedAt: childStartedAt) ?? .missing))
                case .pollTick:
                    watcher?.rewatchIfNeeded()
                    promoteScheduledPlan()
                    releaseStartupPagesIfDue()
                    if let observation = reader.read(force: false, childStartedAt: childStartedAt) {
                        queue.append(.planObserved(observation))
                    }
                    queue.append(.tick)
                }
                while !queue.isEmpty {
                    let before = machine.snapshot.phase
                    let event = queue.removeFirst()
                    if case .heightObserved(_, let height?) = event { lastKnownHeight = height }
                    let actions = machine.handle(event)
                    if ["stopping", "child-exited"].contains(before), machine.snapshot.phase.hasPrefix("upgrading") {
                        crashHook("stop")
                    }
                    saveState()
                    for action in actions {
                        if let exit = execute(action, group: &group, queue: &queue) {
                            code = exit
                            break loop
                        }
                    }
                }
            }
            group.cancelAll()
            saveState()
            durability.flush()
            return code
        }
    }

    // MARK: - Actions

    /// Executes one action; returns an exit code when the loop must end.
    private func execute(_ action: StateMachine.Action, group: inout TaskGroup<Void>, queue: inout [StateMachine.Event])
        -> Int32?
    {
        let continuation = self.continuation
        switch action {
        case .checkPlan:
            promoteScheduledPlan()
            queue.append(.planObserved(reader.read(force: true, childStartedAt: childStartedAt) ?? .missing))
        case .queryHeight(let plan):
            let source = HeightSource(rpcURL: settings.rpcURL, binary: settings.currentBinary, home: settings.home)
            group.addTask { continuation.yield(.event(.heightObserved(plan, await source.height()))) }
        case .spawn(let haltHeight):
            queue.append(spawn(haltHeight: haltHeight, group: &group))
        case .signalGroup(let pid, let signal):
            _ = killpg(pid, signal)
        case .startGraceTimer(let pid):
            let grace = settings.shutdownGrace
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
            let crashAt = settings.crashAt
            group.addTask {
                let event = await Supervisor.perform(step, plan, steps)
                if crashAt == step.description { kill(getpid(), SIGKILL) }
                continuation.yield(.event(event))
            }
        case .log(let notice):
            log(notice)
        case .exit(let code, let error):
            if let error { FileHandle.standardError.write(Data("Error: \(error)\n".utf8)) }
            return code
        }
        return nil
    }

    private static func perform(_ step: StateMachine.UpgradeStep, _ plan: RunPlan, _ steps: UpgradeSteps) async
        -> StateMachine.Event
    {
        do {
            switch step {
            case .delay: await steps.delay()
            case .backup: try await steps.backup(plan)
            case .customPreUpgrade: try await steps.customPreUpgrade(plan)
            case .switchBinary: try steps.switchBinary(plan)
            case .preUpgrade: return .preUpgradeExited(await steps.preUpgrade())
            }
            return .stepSucceeded(step)
        } catch {
            return .stepFailed(step, error.description)
        }
    }

    private func spawn(haltHeight: Int64?, group: inout TaskGroup<Void>) -> StateMachine.Event {
        // FleetCore's one reading of `current` (relative or absolute target, inside the layout, else an error).
        let resolved: String
        do {
            resolved = try CurrentLink.resolveOrCreateGenesis(settings.layout, canonical: false)
            try RunLinks.ensureBinary(resolved)
        } catch {
            return .spawnFailed("current binary is invalid: \(error)")
        }
        var arguments = settings.arguments
        if let haltHeight = [haltHeight, scheduledHaltHeight()].compactMap({ $0 }).min() {
            arguments += ["--halt-height", "\(haltHeight)"]
        }
        logger.info("running app", metadata: ["args": .array(arguments.map { .string($0) }), "path": "\(resolved)"])
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(resolved, arguments: arguments)
        } catch {
            return .spawnFailed("launching process \(resolved) \(arguments.joined(separator: " ")) failed: \(error)")
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        childStartedAt = now
        childStarts += 1
        pageReleaseDue = settings.startupPageReleaseDelay.map { ContinuousClock.now + $0 }
        record.child.pid = child.pid
        record.child.startedAt = AgentRuntimeState.timestamp(Date())
        let continuation = self.continuation
        group.addTask { continuation.yield(.event(.childExited(await child.wait()))) }
        return .childSpawned(pid: child.pid)
    }

    /// Once a child has settled in `running`, the pages only start-up and the last upgrade used go back to
    /// the kernel (the idle agent's resident set is then what its loop touches).
    private func releaseStartupPagesIfDue() {
        guard let due = pageReleaseDue, ContinuousClock.now >= due, machine.snapshot.phase == "running" else {
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
        if settings.crashAt == step { kill(getpid(), SIGKILL) }
    }

    private func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return 1
    }
}

/// Owned by the one task that runs ``Supervisor/run()``; never shared.
@available(*, unavailable)
extension Supervisor: Sendable {}
