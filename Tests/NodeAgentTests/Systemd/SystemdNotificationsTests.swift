import FleetTestSupport
import Testing

@testable import NodeAgent

/// What the agent tells systemd, decided from snapshots and a clock (no socket).
@Suite(.tags(.pure))
struct SystemdNotificationsTests {
    typealias Snapshot = Supervisor.StateMachine.Snapshot

    static func snapshot(
        _ phase: Supervisor.StateMachine.Phase, pid: Int32? = nil, applied: String = "", pending: String? = nil,
        halt: Int64? = nil
    ) -> Snapshot {
        Snapshot(
            phase: phase,
            childPid: pid,
            haltHeight: halt,
            pendingPlan: pending.map { RunPlan(rawName: $0, name: $0, height: 1234) },
            applied: .init(name: applied, height: applied.isEmpty ? 0 : 100),
            upgradesApplied: []
        )
    }

    @Test(arguments: [
        (snapshot(.checking), "checking for a pending upgrade"),
        (snapshot(.startingChild, applied: "v2"), "starting v2"),
        (snapshot(.running, pid: 1234), "running genesis (pid 1234)"),
        (
            snapshot(.running, pid: 7, applied: "v2", pending: "v3", halt: 1234),
            "running v2 (pid 7), halts at height 1234"
        ),
        (snapshot(.stopping, pid: 7, applied: "v2", pending: "v3"), "stopping v2 for upgrade v3 at height 1234"),
        (snapshot(.stopping, pid: 7, applied: "v2"), "stopping v2"),
        (snapshot(.draining), "waiting for the node's processes to exit"),
        (snapshot(.upgrading(.backup), applied: "v2", pending: "v3"), "upgrading v3: backup"),
        (snapshot(.upgrading(.preUpgrade(attempt: 1)), applied: "v3"), "upgrading v3: pre-upgrade"),
        (snapshot(.finished, applied: "v3"), "stopped"),
    ])
    func statusText(snapshot: Snapshot, expected: String) {
        #expect(SystemdStatusText.describe(snapshot) == expected)
    }

    @Test func readyOnceWhenRunningThenStatusOnlyOnChangesAndStoppingAtTheEnd() {
        let start = ContinuousClock.now
        var notifications = SystemdNotifications(
            timing: .init(watchdog: nil, timeoutExtension: .seconds(60)), now: start)
        #expect(notifications.observe(Self.snapshot(.checking), now: start) == "STATUS=checking for a pending upgrade")
        #expect(notifications.observe(Self.snapshot(.checking), now: start) == nil)
        #expect(
            notifications.observe(Self.snapshot(.running, pid: 9), now: start)
                == "READY=1\nSTATUS=running genesis (pid 9)"
        )
        #expect(
            notifications.observe(Self.snapshot(.upgrading(.backup), pending: "v2"), now: start)
                == "STATUS=upgrading v2: backup\nEXTEND_TIMEOUT_USEC=60000000"
        )
        #expect(
            notifications.observe(Self.snapshot(.running, pid: 10, applied: "v2"), now: start)
                == "STATUS=running v2 (pid 10)")
        #expect(
            notifications.observe(Self.snapshot(.finished, applied: "v2"), now: start) == "STOPPING=1\nSTATUS=stopped"
        )
    }

    @Test func anAgentThatNeverStartedAChildIsStillReadyBeforeStopping() {
        let start = ContinuousClock.now
        var notifications = SystemdNotifications(
            timing: .init(watchdog: nil, timeoutExtension: .seconds(60)), now: start)
        _ = notifications.observe(Self.snapshot(.upgrading(.switchBinary), pending: "v2"), now: start)
        #expect(notifications.observe(Self.snapshot(.finished), now: start) == "READY=1\nSTOPPING=1\nSTATUS=stopped")
    }

    @Test func watchdogAtHalfItsPeriodAndTheExtensionAgainAfterAThird() {
        let start = ContinuousClock.now
        var notifications = SystemdNotifications(
            timing: .init(watchdog: .seconds(10), timeoutExtension: .seconds(60)),
            now: start
        )
        #expect(notifications.tick(now: start + .seconds(4)) == nil)
        #expect(notifications.tick(now: start + .seconds(5)) == "WATCHDOG=1")
        #expect(notifications.tick(now: start + .seconds(9)) == nil)
        _ = notifications.observe(Self.snapshot(.upgrading(.backup), pending: "v2"), now: start + .seconds(9))
        #expect(notifications.tick(now: start + .seconds(10)) == "WATCHDOG=1")
        #expect(notifications.tick(now: start + .seconds(29)) == "WATCHDOG=1\nEXTEND_TIMEOUT_USEC=60000000")
        #expect(notifications.tick(now: start + .seconds(30)) == nil)
        // Out of the step, no more extensions.
        _ = notifications.observe(Self.snapshot(.running, pid: 3, applied: "v2"), now: start + .seconds(31))
        #expect(notifications.tick(now: start + .seconds(60)) == "WATCHDOG=1")
    }

    @Test func theExtensionCoversFourTicksAndAtLeastAMinute() {
        #expect(SystemdNotifications.Timing.timeoutExtension(pollInterval: .milliseconds(300)) == .seconds(60))
        #expect(SystemdNotifications.Timing.timeoutExtension(pollInterval: .seconds(30)) == .seconds(120))
    }

    @Test(
        arguments: [
            ("/run/systemd/notify", Array("/run/systemd/notify".utf8) + [0]),
            ("@abstract", [0] + Array("abstract".utf8)),
            ("vsock:2:1234", nil),
            ("relative/path", nil),
            ("@", nil),
            ("/" + String(repeating: "x", count: 107), nil),
        ] as [(String, [UInt8]?)])
    func notifySocketAddresses(value: String, expected: [UInt8]?) {
        #expect(SystemdNotifier.socketAddress(value) == expected)
    }

    @Test func watchdogOnlyForThisProcess() {
        #expect(SystemdNotifier.watchdog(["WATCHDOG_USEC": "30000000"], pid: 42) == .seconds(30))
        #expect(SystemdNotifier.watchdog(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(30))
        #expect(SystemdNotifier.watchdog(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdog(["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdog(["WATCHDOG_USEC": "x"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdog([:], pid: 42) == nil)
    }
}
