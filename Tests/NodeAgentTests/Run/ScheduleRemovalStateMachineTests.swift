import FleetTestSupport
import Glibc
import Testing

@testable import NodeAgent

/// A manual upgrade removed while the node runs with its `--halt-height` (`remove-upgrade`,
/// `fleet schedule --cancel`): the machine restarts the child without the halt it no longer needs.
@Suite(.tags(.pure)) struct ScheduleRemovalStateMachineTests {
    typealias Machine = Supervisor.StateMachine

    static let v2 = RunPlan(rawName: "v2", name: "v2", height: 50, info: nil)

    @Test func aRemovedScheduleLiftsTheHaltHeight() {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        _ = machine.handle(.scheduleObserved([.init(name: "v2", height: 50)]))
        #expect(machine.handle(.planObserved(.missing)) == [.spawn(haltHeight: 50)])
        _ = machine.handle(.childSpawned(pid: 7))
        #expect(machine.handle(.planObserved(.plan(Self.v2, writtenSinceSpawn: true))) == [.queryHeight(Self.v2)])
        #expect(machine.handle(.heightObserved(Self.v2, 20)) == [])
        // remove-upgrade writes the schedule first: the plan file still asks for 50, nothing to do yet.
        #expect(machine.handle(.scheduleObserved([])) == [])
        let lifted = machine.handle(.planObserved(.missing))
        #expect(lifted.first == .log(.haltLifted(50)))
        #expect(lifted.contains(.signalGroup(pid: 7, signal: SIGKILL)))
        #expect(machine.handle(.childExited(.signaled(SIGKILL))) == [.drainGroup(pgid: 7)])
        #expect(machine.handle(.groupDrained(pgid: 7)) == [.spawn(haltHeight: nil)])
    }

    @Test func aHaltStillWantedIsKept() {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        _ = machine.handle(.scheduleObserved([.init(name: "v2", height: 50), .init(name: "v3", height: 90)]))
        #expect(machine.handle(.planObserved(.missing)) == [.spawn(haltHeight: 50)])
        _ = machine.handle(.childSpawned(pid: 7))
        #expect(machine.handle(.scheduleObserved([.init(name: "v2", height: 50)])) == [], "v3 was above the halt")
        // v2 removed, v3 back: the child halting at 50 is restarted to halt at 90.
        let lifted = machine.handle(.scheduleObserved([.init(name: "v3", height: 90)]))
        #expect(lifted.first == .log(.haltLifted(50)))
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        #expect(machine.handle(.groupDrained(pgid: 7)) == [.spawn(haltHeight: 90)])
    }

    @Test func aPlanRemovedWhileItsHeightIsAskedForLiftsTheHaltOnceAnswered() {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        _ = machine.handle(.scheduleObserved([.init(name: "v2", height: 50)]))
        _ = machine.handle(.planObserved(.missing))
        _ = machine.handle(.childSpawned(pid: 7))
        _ = machine.handle(.planObserved(.plan(Self.v2, writtenSinceSpawn: true)))
        _ = machine.handle(.heightObserved(Self.v2, 20))
        #expect(machine.handle(.tick) == [.queryHeight(Self.v2)])
        #expect(machine.handle(.scheduleObserved([])) == [])
        #expect(machine.handle(.planObserved(.missing)) == [], "the height question is still out")
        let lifted = machine.handle(.heightObserved(Self.v2, 21))
        #expect(lifted.first == .log(.haltLifted(50)))
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        #expect(machine.handle(.groupDrained(pgid: 7)) == [.spawn(haltHeight: nil)])
    }

    @Test func aScheduleRemovedWhileTheChildRestartsForItLiftsTheHaltOnceStarted() {
        var machine = Machine(settings: .init(backup: false))
        _ = machine.handle(.start(applied: .genesis))
        #expect(machine.handle(.planObserved(.missing)) == [.spawn(haltHeight: nil)])
        _ = machine.handle(.childSpawned(pid: 7))
        // add-upgrade: the schedule, then the plan; the child is restarted to halt at 50.
        _ = machine.handle(.scheduleObserved([.init(name: "v2", height: 50)]))
        #expect(machine.handle(.planObserved(.plan(Self.v2, writtenSinceSpawn: true))) == [.queryHeight(Self.v2)])
        #expect(machine.handle(.heightObserved(Self.v2, 20)).contains(.signalGroup(pid: 7, signal: SIGKILL)))
        // fleet schedule rolls back while the child is restarting: remove-upgrade takes both away.
        #expect(machine.handle(.scheduleObserved([])) == [])
        #expect(machine.handle(.planObserved(.missing)) == [])
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        #expect(machine.handle(.groupDrained(pgid: 7)) == [.spawn(haltHeight: 50)])
        let lifted = machine.handle(.childSpawned(pid: 8))
        #expect(lifted.first == .log(.haltLifted(50)), "\(lifted)")
        _ = machine.handle(.childExited(.signaled(SIGKILL)))
        #expect(machine.handle(.groupDrained(pgid: 8)) == [.spawn(haltHeight: nil)])
    }
}
