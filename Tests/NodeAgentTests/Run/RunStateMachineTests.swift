import FleetTestSupport
import Glibc
import Testing

@testable import NodeAgent

@Suite(.tags(.pure)) struct RunStateMachineTests {
    typealias Machine = Supervisor.StateMachine
    typealias Event = Machine.Event
    typealias Action = Machine.Action

    static let v2 = RunPlan(rawName: "v2", name: "v2", height: 50, info: nil)
    static let v3 = RunPlan(rawName: "v3", name: "v3", height: 90, info: nil)

    /// Feeds events in order and returns every action list.
    func run(_ events: [Event], settings: Machine.Settings = .init(backup: false)) -> [[Action]] {
        var machine = Machine(settings: settings)
        return events.map { machine.handle($0) }
    }

    @Test func governanceUpgradeWhileRunningWithGraceAndRestart() {
        let actions = run(
            [
                .start(applied: .genesis),
                .planObserved(.missing),
                .childSpawned(pid: 100),
                .planObserved(.plan(Self.v2, writtenSinceSpawn: true)),
                .heightObserved(Self.v2, 50),
                .childExited(.exited(0)),
                .groupDrained(pgid: 100),
                .stepSucceeded(.switchBinary),
                .preUpgradeExited(.exited(0)),
                .planObserved(.plan(Self.v2, writtenSinceSpawn: true)),
            ],
            settings: .init(shutdownGrace: true, backup: false)
        )
        #expect(
            actions == [
                [.checkPlan],
                [.spawn(haltHeight: nil)],
                [],
                [.queryHeight(Self.v2)],
                [
                    .log(.shuttingDown), .log(.sentInterrupt), .signalGroup(pid: 100, signal: SIGTERM),
                    .startGraceTimer(pid: 100),
                ],
                [.log(.exitedNormally), .drainGroup(pgid: 100)],
                [.runStep(.switchBinary, Self.v2)],
                [.runStep(.preUpgrade(attempt: 0), Self.v2)],
                [.log(.preUpgradeSucceeded), .log(.relaunching), .checkPlan],
                [.spawn(haltHeight: nil)],
            ]
        )
    }

    @Test func stepsRunInCosmovisorOrder() {
        let settings = Machine.Settings(
            restartAfterUpgrade: false,
            restartDelay: true,
            backup: true,
            customPreUpgrade: true
        )
        let actions = run(
            [
                .start(applied: .genesis), .planObserved(.plan(Self.v2, writtenSinceSpawn: false)),
                .heightObserved(Self.v2, 49),
                .stepSucceeded(.delay), .stepSucceeded(.backup), .stepSucceeded(.customPreUpgrade),
                .stepSucceeded(.switchBinary),
                .preUpgradeExited(.exited(1)),
            ],
            settings: settings
        )
        let steps: [Machine.UpgradeStep] = actions.flatMap { $0 }.compactMap { action in
            guard case .runStep(let step, _) = action else { return nil }
            return step
        }
        #expect(steps == [.delay, .backup, .customPreUpgrade, .switchBinary, .preUpgrade(attempt: 0)])
        #expect(actions.last == [.log(.preUpgradeNotImplemented), .log(.restartOff), .exit(code: 0, error: nil)])
    }

    @Test func pendingPlanAtStartIsAppliedBeforeAnyChild() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.plan(Self.v2, writtenSinceSpawn: false)),
            .heightObserved(Self.v2, 49),
        ])
        #expect(actions[2] == [.runStep(.switchBinary, Self.v2)])
        #expect(!actions.flatMap { $0 }.contains(.spawn(haltHeight: nil)))
    }

    @Test func futurePlanAtStartStartsChildWithHaltHeight() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.plan(Self.v2, writtenSinceSpawn: false)),
            .heightObserved(Self.v2, 10),
        ])
        #expect(actions[2] == [.log(.planScheduled(Self.v2)), .spawn(haltHeight: 50)])
    }

    @Test func futurePlanWhileRunningRestartsChildWithHaltHeight() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 7),
            .planObserved(.plan(Self.v2, writtenSinceSpawn: true)), .heightObserved(Self.v2, 12),
            .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
            .childSpawned(pid: 8), .tick, .heightObserved(Self.v2, 30), .tick, .heightObserved(Self.v2, 49),
        ])
        #expect(
            actions[4] == [.log(.planScheduled(Self.v2)), .log(.shuttingDown), .signalGroup(pid: 7, signal: SIGKILL)]
        )
        #expect(actions[5] == [.drainGroup(pgid: 7)])
        #expect(actions[6] == [.spawn(haltHeight: 50)])
        #expect(actions[8] == [.queryHeight(Self.v2)])
        #expect(actions[9] == [])
        #expect(actions[11] == [.log(.shuttingDown), .signalGroup(pid: 8, signal: SIGKILL)])
    }

    @Test func unknownHeightNeverPassesForAPlanOlderThanTheChild() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 7),
            .childExited(.exited(2)), .groupDrained(pgid: 7), .planObserved(.plan(Self.v2, writtenSinceSpawn: false)),
            .heightObserved(Self.v2, nil),
        ])
        #expect(actions[6] == [.exit(code: 1, error: "exit status 2")])
    }

    @Test func unknownHeightTrustsAFileTheExitedChildWrote() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 7),
            .childExited(.exited(1)), .groupDrained(pgid: 7), .planObserved(.plan(Self.v2, writtenSinceSpawn: true)),
            .heightObserved(Self.v2, nil),
        ])
        #expect(actions[3] == [.drainGroup(pgid: 7)])
        #expect(actions[4] == [.checkPlan])
        #expect(actions[6] == [.runStep(.switchBinary, Self.v2)])
    }

    @Test func aScheduledPlanIsNeverAppliedOnTrustAfterACrash() {
        // add-upgrade --upgrade-height wrote the plan while the node ran; the node then crashed for another
        // reason with its RPC down: without a known height ≥ H−1 the old binary's exit decides nothing.
        let actions = run([
            .start(applied: .genesis), .scheduleObserved([.init(name: "v2", height: 50)]), .planObserved(.missing),
            .childSpawned(pid: 7), .childExited(.exited(1)), .groupDrained(pgid: 7),
            .planObserved(.plan(Self.v2, writtenSinceSpawn: true)), .heightObserved(Self.v2, nil),
        ])
        #expect(actions[7] == [.exit(code: 1, error: "exit status 1")])
        #expect(!actions.flatMap { $0 }.contains(.runStep(.switchBinary, Self.v2)))
    }

    @Test func aScheduledPlanIsAppliedOnceTheHeightIsKnown() {
        let actions = run([
            .start(applied: .genesis), .scheduleObserved([.init(name: "V2", height: 50)]), .planObserved(.missing),
            .childSpawned(pid: 7), .childExited(.exited(0)), .groupDrained(pgid: 7),
            .planObserved(.plan(Self.v2, writtenSinceSpawn: true)), .heightObserved(Self.v2, 49),
        ])
        #expect(actions[7] == [.runStep(.switchBinary, Self.v2)])
    }

    @Test func theMachineOwnsTheHaltHeightFromTheSchedule() {
        let actions = run([
            .start(applied: .genesis),
            .scheduleObserved([.init(name: "v3", height: 90), .init(name: "v2", height: 40)]),
            .planObserved(.missing),
        ])
        #expect(actions[2] == [.spawn(haltHeight: 40)])
        // Past entries (below the known height) and the applied upgrade do not halt the child.
        let later = run([
            .start(applied: .init(name: "v2", height: 40)),
            .scheduleObserved([.init(name: "v2", height: 40), .init(name: "v3", height: 90)]),
            .planObserved(.plan(Self.v3, writtenSinceSpawn: false)), .heightObserved(Self.v3, 60),
        ])
        #expect(later[3] == [.log(.planScheduled(Self.v3)), .spawn(haltHeight: 90)])
    }

    @Test func aChildHaltingBeforeThePlanIsNotRestartedForIt() {
        let actions = run([
            .start(applied: .genesis), .scheduleObserved([.init(name: "v2", height: 40)]), .planObserved(.missing),
            .childSpawned(pid: 7), .planObserved(.plan(Self.v3, writtenSinceSpawn: true)),
            .heightObserved(Self.v3, 20), .tick, .heightObserved(Self.v3, 21),
        ])
        #expect(actions[2] == [.spawn(haltHeight: 40)])
        #expect(actions[5] == [], "the child already halts at 40, before v3's 90")
        #expect(actions[7] == [])
    }

    @Test func nothingStartsWhileTheOldGroupIsDraining() {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        _ = machine.handle(.planObserved(.missing))
        _ = machine.handle(.childSpawned(pid: 7))
        _ = machine.handle(.planObserved(.plan(Self.v2, writtenSinceSpawn: true)))
        let stop = machine.handle(.heightObserved(Self.v2, 49))
        #expect(stop == [.log(.shuttingDown), .signalGroup(pid: 7, signal: SIGKILL)])
        #expect(machine.handle(.childExited(.signaled(SIGKILL))) == [.drainGroup(pgid: 7)])
        #expect(machine.snapshot.phase == .draining)
        #expect(machine.handle(.groupDrained(pgid: 6)) == [], "another group's answer changes nothing")
        #expect(machine.handle(.signalReceived(SIGTERM)) == [])
        #expect(machine.handle(.groupDrained(pgid: 7)) == [.exit(code: 0, error: nil)])
    }

    @Test func appliedOrOlderPlansAreNotUpgradesAgain() {
        let applied = Machine.AppliedUpgrade(name: "V2", height: 50)
        let older = RunPlan(rawName: "v1", name: "v1", height: 20, info: nil)
        #expect(
            run([.start(applied: applied), .planObserved(.plan(Self.v2, writtenSinceSpawn: false))])[1] == [
                .spawn(haltHeight: nil)
            ]
        )
        #expect(
            run([.start(applied: applied), .planObserved(.plan(older, writtenSinceSpawn: false))])[1] == [
                .spawn(haltHeight: nil)
            ]
        )
    }

    @Test func invalidPlanIsLoggedOnceAndSupervisionGoesOn() {
        let problem = AgentError(.plan, "empty")
        let actions = run([
            .start(applied: .genesis), .planObserved(.invalid(problem)), .childSpawned(pid: 3),
            .planObserved(.invalid(problem)), .planObserved(.invalid(AgentError(.plan, "other"))),
        ])
        #expect(actions[1] == [.log(.invalidPlan(problem)), .spawn(haltHeight: nil)])
        #expect(actions[3] == [])
        #expect(actions[4] == [.log(.invalidPlan(AgentError(.plan, "other")))])
    }

    @Test func skipHeightsAreNotUpgraded() {
        let settings = Machine.Settings(backup: false, skipHeights: [50])
        let actions = run(
            [.start(applied: .genesis), .planObserved(.plan(Self.v2, writtenSinceSpawn: false))],
            settings: settings
        )
        #expect(actions[1] == [.log(.planSkipped(Self.v2)), .spawn(haltHeight: nil)])
    }

    @Test(arguments: [
        ([31, 31, 0], 2, [Action.log(.preUpgradeSucceeded)]),
        ([31, 31, 31], 2, [.exit(code: 1, error: "pre-upgrade command failed. reached max attempt of retries - 2")]),
        ([30], 2, [.exit(code: 1, error: "pre-upgrade command failed : exit status 30")]),
        ([1], 0, [.log(.preUpgradeNotImplemented)]),
        ([42], 0, [.log(.preUpgradeSucceeded)]),
    ])
    func preUpgradeExitCodes(codes: [Int32], maxRetries: Int, expectedEnd: [Action]) {
        var machine = Machine(
            settings: .init(restartAfterUpgrade: false, backup: false, preUpgradeMaxRetries: maxRetries)
        )
        _ = machine.handle(.start(applied: .genesis))
        _ = machine.handle(.planObserved(.plan(Self.v2, writtenSinceSpawn: false)))
        _ = machine.handle(.heightObserved(Self.v2, 50))
        _ = machine.handle(.stepSucceeded(.switchBinary))
        var last: [Action] = []
        for code in codes { last = machine.handle(.preUpgradeExited(.exited(code))) }
        #expect(expectedEnd.allSatisfy(last.contains), "\(last)")
        if codes.last == 31 && codes.count <= maxRetries {
            #expect(last.last == .runStep(.preUpgrade(attempt: codes.count), Self.v2))
        }
    }

    @Test func negativeMaxRetriesFailsBeforeTheFirstAttempt() {
        let actions = run(
            [
                .start(applied: .genesis), .planObserved(.plan(Self.v2, writtenSinceSpawn: false)),
                .heightObserved(Self.v2, 50), .stepSucceeded(.switchBinary),
            ],
            settings: .init(backup: false, preUpgradeMaxRetries: -1)
        )
        #expect(
            actions[3] == [.exit(code: 1, error: "pre-upgrade command failed. reached max attempt of retries - -1")]
        )
    }

    @Test func terminatingSignalsAreForwardedAndEndTheLoop() {
        let actions = run([
            .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 9),
            .signalReceived(SIGHUP), .signalReceived(SIGTERM), .childExited(.signaled(SIGTERM)),
            .groupDrained(pgid: 9),
        ])
        #expect(actions[3] == [.signalGroup(pid: 9, signal: SIGHUP)])
        #expect(actions[4] == [.signalGroup(pid: 9, signal: SIGTERM)])
        #expect(actions[5] == [.drainGroup(pgid: 9)])
        #expect(actions[6] == [.exit(code: 0, error: nil)])
    }

    @Test func graceElapsedKillsOnlyTheChildBeingStopped() {
        let actions = run(
            [
                .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 9),
                .planObserved(.plan(Self.v2, writtenSinceSpawn: true)), .heightObserved(Self.v2, 49),
                .graceElapsed(pid: 8), .graceElapsed(pid: 9), .childExited(.signaled(SIGKILL)),
                .groupDrained(pgid: 9),
            ],
            settings: .init(shutdownGrace: true, backup: false)
        )
        #expect(actions[5] == [])
        #expect(actions[6] == [.log(.graceExceeded), .signalGroup(pid: 9, signal: SIGKILL)])
        #expect(actions[7] == [.drainGroup(pgid: 9)])
        #expect(actions[8] == [.runStep(.switchBinary, Self.v2)])
    }

    @Test func childExitWithoutPlanEndsWithItsStatus() {
        #expect(
            run([
                .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 1), .childExited(.exited(0)),
                .groupDrained(pgid: 1), .planObserved(.missing),
            ])[5] == [.exit(code: 0, error: nil)]
        )
        #expect(
            run([
                .start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 1), .childExited(.exited(3)),
                .groupDrained(pgid: 1), .planObserved(.missing),
            ])[5] == [.exit(code: 1, error: "exit status 3")]
        )
    }

    @Test(
        arguments: [
            (["start", "--unsafe-skip-upgrades", "10", "20", "--abcd", "34"], [10, 20]),
            (["--unsafe-skip-upgrades", "10", "as", "20", "--abcd"], [10, 20]),
            (["--unsafe-skip-upgrades"], []),
            (["--unsafe-skip-upgrades", "--abcd", "10"], []),
            (["start", "--home", "x"], []),
            // FleetCore's SkipHeights also reads the SDK's int-slice forms and every occurrence (deliberate).
            (["--unsafe-skip-upgrades", "10", "--x", "--unsafe-skip-upgrades", "20"], [10, 20]),
            (["--unsafe-skip-upgrades=10,20"], [10, 20]),
        ] as [([String], [Int64])]
    )
    func upgradeSkipHeights(args: [String], heights: [Int64]) {
        #expect(Machine.Settings.skipHeights(in: args) == Set(heights))
    }
}
