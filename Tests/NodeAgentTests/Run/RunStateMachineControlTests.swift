import FleetCore
import FleetTestSupport
import Glibc
import Testing

@testable import NodeAgent

/// The control channel's transitions: `switch` and `restart` as events of the one state machine.
@Suite(.tags(.pure)) struct RunStateMachineControlTests {
    typealias Machine = Supervisor.StateMachine
    typealias Event = Machine.Event
    typealias Action = Machine.Action

    static let v2 = RunPlan(rawName: "v2", name: "v2", height: 50, info: nil)
    static let toV2 = Machine.ControlCommand.switchRelease(from: .genesis, to: .upgrade(directory: "v2"), restart: true)
    static let running: [Event] = [.start(applied: .genesis), .planObserved(.missing), .childSpawned(pid: 7)]

    func run(_ events: [Event], settings: Machine.Settings = .init(backup: false)) -> [[Action]] {
        var machine = Machine(settings: settings)
        return events.map { machine.handle($0) }
    }

    @Test func switchStopsSwitchesRestartsAndAnswersOnceSettled() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, Self.toV2),
                .childExited(.signaled(SIGTERM)),
                .groupDrained(pgid: 7),
                .releaseSwitched,
                .planObserved(.missing),
                .childSpawned(pid: 8),
                .childSettled(pid: 8),
            ],
            settings: .init(shutdownGrace: true, backup: false)
        )
        #expect(
            Array(actions[3...]) == [
                [
                    .log(.shuttingDown), .log(.sentInterrupt), .signalGroup(pid: 7, signal: SIGTERM),
                    .startGraceTimer(pid: 7),
                ],
                [.log(.exitedNormally), .drainGroup(pgid: 7)],
                [.switchRelease(.upgrade(directory: "v2"), applied: .genesis)],
                [.checkPlan],
                [.spawn(haltHeight: nil)],
                [.awaitUp(id: 1, pid: 8)],
                [.answer(id: 1, .up(pid: 8))],
            ]
        )
    }

    @Test func switchWithoutRestartParksTheNodeUntilRestart() {
        let parked = Machine.ControlCommand.switchRelease(from: .genesis, to: .upgrade(directory: "v2"), restart: false)
        var machine = Machine(settings: .init(backup: false))
        for event in Self.running { _ = machine.handle(event) }
        _ = machine.handle(.controlRequested(id: 1, parked))
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        #expect(
            machine.handle(.groupDrained(pgid: 7)) == [.switchRelease(.upgrade(directory: "v2"), applied: .genesis)])
        #expect(machine.handle(.releaseSwitched) == [.answer(id: 1, .parked)])
        #expect(machine.snapshot.phase == .parked)
        #expect(machine.handle(.tick) == [])
        #expect(machine.handle(.controlRequested(id: 2, .restart)) == [.checkPlan])
        #expect(machine.handle(.planObserved(.missing)) == [.spawn(haltHeight: nil)])
        #expect(machine.handle(.childSpawned(pid: 9)) == [.awaitUp(id: 2, pid: 9)])
        #expect(machine.handle(.childSettled(pid: 9)) == [.answer(id: 2, .up(pid: 9))])
    }

    @Test func aSecondRequestDuringASwitchIsBusyAndChangesNothing() {
        var machine = Machine(settings: .init(shutdownGrace: true, backup: false))
        for event in Self.running { _ = machine.handle(event) }
        _ = machine.handle(.controlRequested(id: 1, Self.toV2))
        let busy: [Action] = [.answer(id: 2, .busy("another switch or restart is in progress"))]
        #expect(machine.handle(.controlRequested(id: 2, Self.toV2)) == busy)
        _ = machine.handle(.childExited(.exited(0)))
        #expect(machine.handle(.controlRequested(id: 2, .restart)) == busy)
        _ = machine.handle(.groupDrained(pgid: 7))
        #expect(machine.snapshot.phase == .switching)
        #expect(machine.handle(.controlRequested(id: 2, Self.toV2)) == busy)
        _ = machine.handle(.releaseSwitched)
        _ = machine.handle(.planObserved(.missing))
        _ = machine.handle(.childSpawned(pid: 8))
        #expect(machine.handle(.controlRequested(id: 2, Self.toV2)) == busy, "still waiting for the node to settle")
        #expect(machine.handle(.childSettled(pid: 8)) == [.answer(id: 1, .up(pid: 8))])
        #expect(machine.handle(.controlRequested(id: 3, .restart)).contains(.signalGroup(pid: 8, signal: SIGTERM)))
    }

    @Test(arguments: [
        (
            [
                Event.planObserved(.plan(RunStateMachineControlTests.v2, writtenSinceSpawn: false)),
                .heightObserved(RunStateMachineControlTests.v2, 49),
            ],
            "upgrade v2 is in progress (switch)"
        ),
        ([Event.planObserved(.missing)], "the node is not running yet (starting-child)"),
        (
            [
                Event.planObserved(.missing), .childSpawned(pid: 7),
                .planObserved(.plan(RunStateMachineControlTests.v2, writtenSinceSpawn: true)),
                .heightObserved(RunStateMachineControlTests.v2, 50),
            ], "upgrade v2 is in progress (stopping the node)"
        ),
        (
            [Event.planObserved(.missing), .childSpawned(pid: 7), .signalReceived(SIGTERM)],
            "the agent is shutting down"
        ),
    ])
    func refusedWhileBusy(before: [Event], reason: String) {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        for event in before { _ = machine.handle(event) }
        let phase = machine.snapshot
        #expect(machine.handle(.controlRequested(id: 5, Self.toV2)) == [.answer(id: 5, .busy(reason))])
        #expect(machine.snapshot == phase, "a refused request changes nothing")
    }

    @Test func aSwitchedNodeThatExitsAtStartIsSwitchedBack() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, Self.toV2), .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
                .releaseSwitched, .planObserved(.missing), .childSpawned(pid: 8),
                .childExited(.exited(1)), .groupDrained(pgid: 8), .releaseSwitched, .planObserved(.missing),
                .childSpawned(pid: 9), .childSettled(pid: 9),
            ]
        )
        #expect(actions[9] == [.drainGroup(pgid: 8)])
        #expect(actions[10] == [.switchRelease(.genesis, applied: .genesis)])
        #expect(
            actions[11] == [
                .answer(id: 1, .failed("the node exited at start on v2 (exit status 1); switched back to genesis")),
                .checkPlan,
            ]
        )
        #expect(actions[13] == [], "the old release runs again, nobody waits for it")
        #expect(actions[14] == [])
    }

    @Test func aSwitchedNodeNeverUpWithinTheBoundIsStoppedWithTheGraceAndSwitchedBack() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, Self.toV2), .childExited(.signaled(SIGTERM)), .groupDrained(pgid: 7),
                .releaseSwitched, .planObserved(.missing), .childSpawned(pid: 8),
                .childNeverUp(pid: 8, bound: .seconds(60)), .graceElapsed(pid: 8), .childExited(.signaled(SIGKILL)),
                .groupDrained(pgid: 8), .releaseSwitched, .planObserved(.missing), .childSpawned(pid: 9),
                .childSettled(pid: 8), .childNeverUp(pid: 9, bound: .seconds(60)),
            ],
            settings: .init(shutdownGrace: true, backup: false)
        )
        #expect(actions[8] == [.awaitUp(id: 1, pid: 8)])
        #expect(
            actions[9] == [
                .log(.shuttingDown), .log(.sentInterrupt), .signalGroup(pid: 8, signal: SIGTERM),
                .startGraceTimer(pid: 8),
            ]
        )
        #expect(actions[10] == [.log(.graceExceeded), .signalGroup(pid: 8, signal: SIGKILL)])
        #expect(actions[11] == [.drainGroup(pgid: 8)])
        #expect(actions[12] == [.switchRelease(.genesis, applied: .genesis)])
        #expect(
            actions[13] == [
                .answer(
                    id: 1,
                    .failed(
                        "the node on v2 never answered its RPC within 60 s; stopped it; switched back to genesis")),
                .checkPlan,
            ]
        )
        #expect(actions[14] == [.spawn(haltHeight: nil)])
        #expect(actions[15] == [], "the old release runs again, nobody waits for it")
        #expect(actions[16] == [] && actions[17] == [], "late reports about children nobody waits for")
    }

    @Test func aRestartedNodeNeverUpIsAnsweredFailedAndKeepsRunning() {
        var machine = Machine(settings: .init(backup: false))
        for event in Self.running { _ = machine.handle(event) }
        _ = machine.handle(.controlRequested(id: 1, .restart))
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        _ = machine.handle(.groupDrained(pgid: 7))
        _ = machine.handle(.planObserved(.missing))
        #expect(machine.handle(.childSpawned(pid: 8)) == [.awaitUp(id: 1, pid: 8)])
        #expect(
            machine.handle(.childNeverUp(pid: 8, bound: .seconds(5))) == [
                .answer(
                    id: 1, .failed("the node never answered its RPC within 5 s after the restart; it keeps running"))
            ]
        )
        #expect(machine.snapshot.phase == .running && machine.snapshot.childPid == 8)
        #expect(machine.handle(.controlRequested(id: 2, .restart)).contains(.signalGroup(pid: 8, signal: SIGKILL)))
    }

    @Test func aShutdownWhileSwitchingBackAnswersTheRequest() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, Self.toV2), .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
                .releaseSwitched, .planObserved(.missing), .childSpawned(pid: 8),
                .childExited(.exited(1)), .signalReceived(SIGTERM), .groupDrained(pgid: 8),
            ]
        )
        #expect(
            actions.last == [
                .answer(id: 1, .failed("the agent is shutting down; the node is stopped")), .exit(code: 0, error: nil),
            ]
        )
    }

    @Test func aFailedSwitchBackIsAnsweredAndLeavesTheNodeStopped() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, Self.toV2), .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
                .releaseSwitched, .planObserved(.missing), .childSpawned(pid: 8),
                .childExited(.exited(1)), .groupDrained(pgid: 8), .releaseSwitchFailed("EACCES"),
            ]
        )
        let reason = "the node exited at start on v2 (exit status 1); switching back to genesis failed: EACCES"
        #expect(
            actions.last == [
                .log(.switchBackFailed("EACCES")), .answer(id: 1, .failed(reason + "; the node is stopped")),
            ]
        )
    }

    @Test func aFailedSwitchRestartsThePreviousRelease() {
        var machine = Machine(settings: .init(backup: false))
        for event in Self.running { _ = machine.handle(event) }
        _ = machine.handle(.controlRequested(id: 1, Self.toV2))
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        _ = machine.handle(.groupDrained(pgid: 7))
        #expect(
            machine.handle(.releaseSwitchFailed("EACCES")) == [
                .answer(id: 1, .failed("switching current failed: EACCES; genesis is still current")), .checkPlan,
            ]
        )
    }

    @Test func aRequestWaitingWhenTheAgentExitsIsAnswered() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, .restart), .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
                .signalReceived(SIGTERM),
            ]
        )
        #expect(
            actions.last == [
                .answer(id: 1, .failed("the agent is exiting; the node is stopped")), .exit(code: 0, error: nil),
            ]
        )
    }

    @Test func anUpgradeDueAfterARestartIsAppliedBeforeTheNodeStarts() {
        let actions = run(
            Self.running + [
                .controlRequested(id: 1, .restart), .childExited(.signaled(SIGKILL)), .groupDrained(pgid: 7),
                .planObserved(.plan(Self.v2, writtenSinceSpawn: false)), .heightObserved(Self.v2, 49),
            ]
        )
        #expect(actions.last == [.runStep(.switchBinary, Self.v2)])
    }
}
