import FleetTestSupport
import Logging
import Testing

@testable import FleetCLI

@Suite("fleet -v lines", .tags(.pure))
struct VerboseLogTests {
    @Test("host first, then the step, its time and the details")
    func layout() {
        let line = VerboseLog.line(
            "authentication",
            metadata: ["fleet.node": "sentry-1", "fleet.host": "10.0.0.1:22", "fleet.ms": "31", "fleet.detail": "ops"])
        #expect(line == "[sentry-1] authentication 31 ms (detail=ops, host=10.0.0.1:22)")
        #expect(
            VerboseLog.line("ssh connected", metadata: ["fleet.host": "10.0.0.1:22"]) == "[10.0.0.1:22] ssh connected")
    }

    @Test("names and errors from files or nodes are escaped before reaching the terminal")
    func escaped() {
        let line = VerboseLog.line("host failed", metadata: ["fleet.node": "evil\u{1B}[2J", "fleet.error": "x\u{07}"])
        #expect(VerboseLog.rendered(line) == #"fleet: [evil\x1b[2J] host failed (error=x\x07)"# + "\n")
    }
}
