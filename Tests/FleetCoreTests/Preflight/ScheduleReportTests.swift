import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet schedule --json`'s report: what each node's answers make of it, its outcome and exit code.
@Suite("Schedule report", .tags(.pure))
struct ScheduleReportTests {
    static func answer(_ host: String, _ succeeded: Bool, _ message: String = "") -> ScheduleRemote.Answer {
        ScheduleRemote.Answer(host: host, succeeded: succeeded, message: message)
    }

    static func json(_ report: ScheduleReport) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
    }

    @Test("every node added: scheduled, exit 0, no rollback; every key present on every node")
    func scheduled() throws {
        var report = ScheduleReport(name: "v2", height: 120, hosts: ["a", "b"])
        report.recordAdds([("a", .added), ("b", .alreadyScheduled)])
        report.finish(.scheduled)
        #expect(report.outcome == .scheduled && report.exitCode == 0 && report.holders == ["a", "b"])
        let json = try Self.json(report)
        #expect(json["outcome"] as? String == "scheduled")
        #expect(json["rolled_back"] as? Bool == false && json["interrupted"] as? Bool == false)
        #expect(json["exit_code"] as? Int == 0 && json["height"] as? Int == 120 && json["name"] as? String == "v2")
        let hosts = try #require(json["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["result"] as? String } == ["added", "already-scheduled"])
        #expect(
            hosts.allSatisfy { Set($0.keys) == ["host", "result", "rolled_back", "error"] && $0["error"] is NSNull })
    }

    @Test("a node failed: the others rolled back, exit 1; a removal that failed leaves the outcome incomplete")
    func rolledBack() throws {
        var report = ScheduleReport(name: "v2", height: 120, hosts: ["a", "b", "c"])
        report.recordAdds([("a", .added), ("b", .failed("refused: no binary")), ("c", .added)])
        #expect(report.holders == ["a", "c"])
        var complete = report
        complete.recordRemovals([Self.answer("a", true), Self.answer("c", true)], rollback: true)
        complete.finish(.rolledBack)
        #expect(complete.outcome == .rolledBack && complete.exitCode == 1 && complete.holders.isEmpty)
        let hosts = try #require(try Self.json(complete)["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["rolled_back"] as? Bool } == [true, false, true])
        #expect(hosts[1]["result"] as? String == "failed" && hosts[1]["error"] as? String == "refused: no binary")

        report.recordRemovals([Self.answer("a", true), Self.answer("c", false, "connection refused")], rollback: true)
        report.finish(.rolledBack)
        #expect(report.outcome == .incomplete && report.exitCode == 1 && report.holders == ["c"])
        #expect(report.hosts[2].error == "the plan could not be removed: connection refused")
    }

    @Test("interrupted: 128 + the signal; the plan removed from the nodes that got it; before any add, none changed")
    func interrupted() throws {
        var early = ScheduleReport(name: "v2", height: 120, hosts: ["a"])
        early.interruptedBy = SIGINT
        early.finish(.interrupted)
        #expect(early.outcome == .interrupted && early.exitCode == 130 && !early.rolledBack)
        #expect(early.hosts.map(\.result) == [.unchanged])

        var late = ScheduleReport(name: "v2", height: 120, hosts: ["a", "b"])
        late.recordAdds([("a", .added), ("b", .added)])
        late.interruptedBy = SIGTERM
        late.recordRemovals([Self.answer("a", true), Self.answer("b", true)], rollback: true)
        late.finish(.rolledBack)
        #expect(late.outcome == .interrupted && late.exitCode == 143 && late.holders.isEmpty)
        let json = try Self.json(late)
        #expect(json["interrupted"] as? Bool == true && json["rolled_back"] as? Bool == true)
    }

    @Test("--cancel: removed everywhere is cancelled (exit 0, null height); a failure is incomplete (exit 1)")
    func cancel() throws {
        var report = ScheduleReport(name: "v2", height: nil, hosts: ["a", "b"])
        report.recordRemovals([Self.answer("a", true), Self.answer("b", true)], rollback: false)
        report.finish(.cancelled)
        #expect(report.outcome == .cancelled && report.exitCode == 0 && !report.rolledBack)
        #expect(report.hosts.map(\.result) == [.removed, .removed])
        #expect(try Self.json(report)["height"] is NSNull)

        var failed = ScheduleReport(name: "v2", height: nil, hosts: ["a", "b"])
        failed.recordRemovals([Self.answer("a", true), Self.answer("b", false, "timeout")], rollback: false)
        failed.finish(.cancelled)
        #expect(failed.outcome == .incomplete && failed.exitCode == 1 && failed.hosts[1].error == "timeout")
    }
}
