import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The session pool against real sshds: one login reused, a host that is down answered at once, a dropped
/// session reopened, everything closed at the end.
@Suite("persistent sessions on real sshds", .tags(.sshd), .timeLimit(.minutes(2)))
struct PersistentSessionsTests {
    /// The PID of the sshd process serving the session the command ran on (the shell's parent).
    static func server(_ sessions: PersistentSessions, _ host: String) async throws -> String {
        try await sessions.exec(host, "echo $PPID", timeout: .seconds(20)).output
    }

    @Test("reused, down at once with why, dropped then reopened, closed")
    func lifecycle() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            var down = SSHTestSupport.target(sandbox, node)
            down.port = try TestPorts.free()
            let sessions = PersistentSessions(
                targets: [(key: "up", target: SSHTestSupport.target(sandbox, node)), (key: "down", target: down)],
                jitter: { 1 })
            await sessions.open(maxConcurrent: 2)

            let first = try await Self.server(sessions, "up")
            #expect(try await Self.server(sessions, "up") == first, "the second exec runs on the same session")
            #expect(sessions.health("up")?.sessionsOpened == 1)

            let unavailable = await #expect(throws: PersistentSessions.Unavailable.self) {
                try await sessions.exec("down", "true", timeout: .seconds(20))
            }
            #expect((unavailable?.failures ?? 0) >= 1)
            #expect(unavailable?.reason?.contains("connect") == true, "\(String(describing: unavailable))")
            #expect(sessions.health("down")?.open == false)

            for pid in ProcessProbe.descendants(of: try #require(node.sshdPid)) { kill(pid, SIGKILL) }
            await #expect(throws: SSHError.self) { try await Self.server(sessions, "up") }
            #expect(sessions.health("up")?.open == false)
            var second = ""
            try await waitUntil("the dropped session to be reopened") {
                guard let answer = try? await Self.server(sessions, "up") else { return false }
                second = answer
                return true
            }
            #expect(second != first)
            #expect(sessions.health("up")?.sessionsOpened == 2)

            await sessions.close()
            await #expect(throws: PersistentSessions.Unavailable.self) { try await Self.server(sessions, "up") }
            try await waitUntil("the session to be closed on the server") {
                ProcessProbe.descendants(of: node.sshdPid!).isEmpty
            }
        }
    }
}
