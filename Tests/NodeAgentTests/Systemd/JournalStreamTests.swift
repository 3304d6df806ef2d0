import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// Under systemd, with standard output connected to the journal (`JOURNAL_STREAM` = its device:inode),
/// log lines carry no timestamp and no colour: journald adds its own.
@Suite(.tags(.processes), .timeLimit(.minutes(1)))
struct JournalStreamTests {
    /// Runs the agent on a node that exits at once, standard output to `out`, with `journalStream` as
    /// `JOURNAL_STREAM` (a function of the output file's device and inode); returns its output lines (log lines only: the node prints nothing).
    static func logLines(journalStream: (stat) -> String) async throws -> [String] {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: "#!/bin/sh\nexit 0\n")
        let out = h.directory + "/journal.out"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "DAEMON_HOME": h.home, "DAEMON_NAME": h.daemon, "UNSAFE_SKIP_BACKUP": "true",
            "COSMOVISOR_COLOR_LOGS": "true", "COSMOVISOR_TIMEFORMAT_LOGS": "rfc3339",
            "JOURNAL_STREAM": journalStream(info),
        ]) { _, new in new }
        let agent = try ChildProcess.spawn(
            TestPaths.product("node-agent"), arguments: ["run", "start"], environment: environment, stdout: fd
        )
        defer { if agent.exited == nil { agent.signalGroup(SIGKILL) } }
        try await waitUntil("the agent to exit", timeout: .seconds(30)) { agent.exited != nil }
        #expect(agent.exited == .exited(0))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    @Test func theJournalGetsLinesWithoutTimestampOrColour() async throws {
        let lines = try await Self.logLines { "\($0.st_dev):\($0.st_ino)" }
        let running = try #require(lines.first { $0.contains("running app") }, "\(lines)")
        #expect(running.hasPrefix("INF running app "), "\(running)")
        #expect(!lines.contains { $0.contains("\u{1B}") }, "\(lines)")
    }

    @Test func anotherStreamKeepsTheConfiguredFormat() async throws {
        // JOURNAL_STREAM inherited from a service whose output now goes elsewhere (another inode).
        let lines = try await Self.logLines { "\($0.st_dev):\($0.st_ino + 1)" }
        let running = try #require(lines.first { $0.contains("running app") }, "\(lines)")
        #expect(running.hasPrefix("\u{1B}[90m2"), "an RFC 3339 timestamp, coloured: \(running)")
    }

    @Test(arguments: [("12:34", true), ("12:", false), (":34", false), ("a:b", false), ("1:2:3", false), ("", false)])
    func parse(value: String, valid: Bool) {
        #expect((JournalStream.parse(value) != nil) == valid)
    }
}
