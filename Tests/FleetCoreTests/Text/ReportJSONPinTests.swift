import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The `--json` entries of `fleet stage`, `fleet install-agent` and `fleet schedule`, byte for byte: every key
/// on every entry, an absent value as `null`, so a script can read any entry the same way.
@Suite("Report JSON", .tags(.pure))
struct ReportJSONPinTests {
    /// Compact, sorted JSON (the commands' own encoders sort keys too).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("stage: every key, nil as null, seconds to the millisecond")
    func stage() throws {
        let bare = StageHostReport(host: "a", result: .failed, seconds: 1.23456)
        #expect(
            try Self.json(bare)
                == #"{"bytes":0,"error":null,"host":"a","path":null,"removed_temporaries":0,"result":"failed","seconds":1.235,"sha256":null}"#
        )
        var full = StageHostReport(
            host: "b", result: .staged, sha256: String(repeating: "ab", count: 32), bytes: 5, error: "x",
            path: "/h/bin/d", removedTemporaries: 2)
        full.seconds = 0.0004
        #expect(
            try Self.json(full)
                == #"{"bytes":5,"error":"x","host":"b","path":"/h/bin/d","removed_temporaries":2,"result":"staged","seconds":0,"sha256":"\#(String(repeating: "ab", count: 32))"}"#
        )
    }

    @Test("install-agent: every key, nil as null")
    func install() throws {
        #expect(
            try Self.json(InstallHostReport(host: "a", result: .refused, error: "no home"))
                == #"{"agent":null,"agent_path":null,"error":"no home","genesis":null,"host":"a","initialized":false,"pid":null,"result":"refused","unit":null,"unit_path":null}"#
        )
        let full = InstallHostReport(
            host: "b", result: .started, agent: .staged, agentPath: "/usr/local/bin/node-agent",
            genesis: .alreadyStaged, initialized: true, unit: .written, unitPath: "/etc/systemd/system/n.service",
            pid: 42)
        #expect(
            try Self.json(full)
                == #"{"agent":"staged","agent_path":"/usr/local/bin/node-agent","error":null,"genesis":"already-staged","host":"b","initialized":true,"pid":42,"result":"started","unit":"written","unit_path":"/etc/systemd/system/n.service"}"#
        )
    }

    @Test("schedule: every host entry has its error key, null when there is none")
    func schedule() throws {
        var report = ScheduleReport(name: "v2", height: nil, hosts: ["a", "b"])
        report.recordAdds([("b", .failed("refused"))])
        #expect(
            try Self.json(report.hosts)
                == #"[{"error":null,"host":"a","result":"unchanged","rolled_back":false},{"error":"refused","host":"b","result":"failed","rolled_back":false}]"#
        )
    }
}
