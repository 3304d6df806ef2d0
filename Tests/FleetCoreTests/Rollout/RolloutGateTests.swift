import FleetCore
import FleetTestSupport
import Testing

/// The health gate after a switch: child up, height advancing, not catching up, within K blocks of the
/// fleet's highest, before the timeout.
@Suite("Rollout gate", .tags(.pure))
struct RolloutGateTests {
    static func sample(
        _ seconds: Int, running: Bool = true, height: Int64? = 100, catchingUp: Bool? = false, top: Int64? = 100,
        error: String? = nil
    ) -> RolloutGate.Sample {
        .init(
            elapsed: .seconds(seconds), childRunning: running, height: height, catchingUp: catchingUp,
            fleetHighest: top, error: error)
    }

    static func verdicts(_ samples: [RolloutGate.Sample], maxLag: Int64 = 5, timeout: Int = 60) -> [String] {
        var gate = RolloutGate(policy: .init(maxLag: maxLag, timeout: .seconds(timeout)))
        return samples.map { sample in
            switch gate.evaluate(sample) {
            case .pass: "pass"
            case .wait(let why): "wait: " + why
            case .fail(let why): "fail: " + why
            }
        }
    }

    @Test("passes once the height advanced past the first one seen")
    func advancing() {
        let result = Self.verdicts([Self.sample(0, height: 100, top: 101), Self.sample(1, height: 102, top: 102)])
        #expect(result == ["wait: height 100, waiting for it to advance", "pass"])
    }

    @Test("waits while the child is down, the RPC is silent, the height stuck or catching up; fails at the timeout")
    func waitsThenFails() {
        let result = Self.verdicts(
            [
                Self.sample(0, running: false, height: nil), Self.sample(1, height: nil), Self.sample(2, height: 50),
                Self.sample(3, height: 50), Self.sample(4, height: 51, catchingUp: true),
                Self.sample(60, height: 51, catchingUp: true),
            ], timeout: 60)
        #expect(
            result == [
                "wait: the node is not running", "wait: the node's RPC does not answer",
                "wait: height 50, waiting for it to advance", "wait: height stuck at 50",
                "wait: catching up (height 51)", "fail: catching up (height 51) after 1m0s (--gate-timeout)",
            ])
    }

    struct LagCase: Sendable {
        var height: Int64
        var top: Int64
        var maxLag: Int64
        var passes: Bool
    }

    @Test(
        "within K blocks of the fleet's highest",
        arguments: [
            LagCase(height: 110, top: 115, maxLag: 5, passes: true),
            LagCase(height: 110, top: 116, maxLag: 5, passes: false),
            LagCase(height: 110, top: 110, maxLag: 0, passes: true),
            LagCase(height: 110, top: 111, maxLag: 0, passes: false),
        ])
    func lag(_ example: LagCase) {
        let result = Self.verdicts(
            [Self.sample(0, height: 100, top: 100), Self.sample(1, height: example.height, top: example.top)],
            maxLag: example.maxLag)
        if example.passes {
            #expect(result.last == "pass")
        } else {
            #expect(
                result.last?.hasPrefix(
                    "wait: height \(example.height) is \(example.top - example.height) blocks behind") == true)
        }
    }

    @Test("a first poll that came after the timeout gets a second look: a healthy node passes")
    func slowFirstPoll() {
        let result = Self.verdicts([Self.sample(70, height: 100), Self.sample(71, height: 101)], timeout: 60)
        #expect(result == ["wait: height 100, waiting for it to advance", "pass"])
        let stuck = Self.verdicts([Self.sample(70, height: 100), Self.sample(71, height: 100)], timeout: 60)
        #expect(stuck.last == "fail: height stuck at 100 after 1m0s (--gate-timeout)")
    }

    @Test("an unreadable node waits with the reason, then fails with it")
    func unreadable() {
        let result = Self.verdicts(
            [Self.sample(0, error: "connection refused"), Self.sample(9, error: "connection refused")], timeout: 9)
        #expect(
            result == [
                "wait: not readable: connection refused",
                "fail: not readable: connection refused after 9s (--gate-timeout)",
            ])
    }
}
