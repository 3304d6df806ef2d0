import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import FleetCLI

@Suite("fleet status --watch frames", .tags(.pure))
struct StatusWatchFrameTests {
    let refresh = StatusWatchFrame.Refresh(
        time: Date(timeIntervalSince1970: 1_796_125_202), took: .microseconds(84_400), reachable: 31, total: 32,
        interval: .seconds(2))
    let body = "NODE  HEIGHT\nsentry-1  12\n\n32 nodes, 31 reachable; no findings.\n"

    @Test("the header: time, refresh duration, reachable count, interval")
    func header() {
        #expect(StatusWatchFrame.header(refresh) == "2026-12-01T11:40:02Z  refresh 84 ms  31/32 reachable  every 2s")
        #expect(StatusWatchFrame.milliseconds(.microseconds(84_500)) == 85)
        #expect(StatusWatchFrame.milliseconds(.seconds(1) + .milliseconds(2)) == 1002)
    }

    @Test(
        "on a terminal: cursor home, every line cleared to its end, the rest of the screen cleared, never a blank screen"
    )
    func screen() {
        let frame = StatusWatchFrame(mode: .screen).render(refresh, body: body)
        #expect(frame.hasPrefix("\u{1B}[H"))
        #expect(frame.hasSuffix("\n\u{1B}[J"))
        #expect(!frame.contains("\u{1B}[2J"))
        let lines = frame.dropFirst(3).dropLast(4).components(separatedBy: "\n")
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.hasSuffix("\u{1B}[K") })
        #expect(lines[0].hasPrefix("fleet status --watch  2026-12-01T11:40:02Z  refresh 84 ms  31/32 reachable"))
        #expect(lines[2] == "NODE  HEIGHT\u{1B}[K")
        #expect(lines[5] == "32 nodes, 31 reachable; no findings.\u{1B}[K")
        #expect(StatusWatchFrame.screenStart.contains("\u{1B}[?25l"))
        #expect(StatusWatchFrame.screenEnd.contains("\u{1B}[?25h"))
    }

    @Test("not a terminal: a separator line with the header, then the table as the plain status prints it")
    func log() {
        let frame = StatusWatchFrame(mode: .log).render(refresh, body: body)
        #expect(frame == "--- 2026-12-01T11:40:02Z  refresh 84 ms  31/32 reachable  every 2s\n" + body)
        #expect(!frame.contains("\u{1B}"))
    }

    @Test("--json: one compact document per line with the refresh fields; the cold --json has none of them")
    func json() throws {
        let report = StatusReport(
            nodes: [HostObservation(host: "sentry-1", role: "sentry", error: "down\nreally")], findings: [],
            exitCode: 1, time: "2026-12-01T11:40:02Z", refreshMs: 84, reachable: 0)
        let line = StatusWatchFrame(mode: .json).render(refresh, body: try report.line())
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["refresh_ms"] as? Int == 84)
        #expect(object["reachable"] as? Int == 0)
        #expect(object["time"] as? String == "2026-12-01T11:40:02Z")
        #expect((object["nodes"] as? [[String: Any]])?.first?["error"] as? String == "down\nreally")
        let cold = StatusReport(nodes: [], findings: [], exitCode: 0)
        let coldObject = try #require(
            try JSONSerialization.jsonObject(with: Data(try cold.line().utf8)) as? [String: Any])
        #expect(Set(coldObject.keys) == ["nodes", "findings", "exit_code"])
    }
}
