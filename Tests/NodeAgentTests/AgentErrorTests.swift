import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// `AgentError` is the one error the agent's commands throw: its codes are distinct, each has a hint, and
/// the messages (cosmovisor's wording, compared byte for byte by operators' scripts) are unchanged.
@Suite("AgentError", .tags(.files))
struct AgentErrorTests {
    @Test("every code is distinct, named and has a hint")
    func codes() {
        #expect(Set(AgentError.Code.all).count == AgentError.Code.all.count)
        #expect(Set(AgentError.Code.all.map(\.description)).count == AgentError.Code.all.count)
        #expect(AgentError.Code.all.allSatisfy { !$0.hint.isEmpty })
        #expect(Set(AgentError.Code.all.map(\.hint)).count == AgentError.Code.all.count)
    }

    /// The messages as the agent printed them before the wrappers were folded into `AgentError`.
    static let table: [(AgentError, AgentError.Code, String)] = [
        (.argumentCount(expected: 2, received: 1), .command, "accepts 2 arg(s), received 1"),
        (
            .spawn("/h/cosmovisor/current/bin/simd", errno: ENOENT), .spawn,
            "/h/cosmovisor/current/bin/simd: No such file or directory"
        ),
        (
            .step("stat /h/cosmovisor/upgrades/v2/bin/simd", errno: ENOENT), .step,
            "stat /h/cosmovisor/upgrades/v2/bin/simd: no such file or directory"
        ),
        (.step("chmod /h/x", errno: EACCES), .step, "chmod /h/x: permission denied"),
        (
            .configuration([
                ConfigurationProblem("DAEMON_NAME is not set"), ConfigurationProblem("DAEMON_HOME is unset"),
            ]),
            .configuration, "DAEMON_NAME is not set\nDAEMON_HOME is unset"
        ),
        (.configuration("failed to read config file: x"), .configuration, "failed to read config file: x"),
        (AgentError(.download, "plan info must not be blank"), .download, "plan info must not be blank"),
    ]

    @Test("descriptions are the messages, byte for byte", arguments: 0..<table.count)
    func descriptions(index: Int) {
        let (error, code, message) = Self.table[index]
        #expect(error.code == code)
        #expect(error.description == message)
        #expect("\(error)" == message)
    }

    @Test("errors from the agent's own checks keep cosmovisor's wording and carry their code and errno")
    func fromTheAgent() {
        let missing = "/nonexistent-\(getpid())/simd"
        let step = #expect(throws: AgentError.self) { try AgentError.ensureExecutable(missing) }
        #expect(step?.code == .step)
        #expect(step?.errno == ENOENT)
        #expect(step?.description == "stat \(missing): no such file or directory")

        guard case .failure(let stat) = AgentConfiguration.statDirectory(missing) else {
            Issue.record("stat of a missing path succeeded")
            return
        }
        #expect(stat.code == .stat)
        #expect(stat.errno == ENOENT)
        #expect(stat.description == "stat \(missing): no such file or directory")

        let list = #expect(throws: AgentError.self) { try UpgradeBatch.parse(list: ["v2:/b/v2"]) }
        #expect(list?.code == .command)
        #expect(list?.description == "argument at position 0 (v2:/b/v2) is invalid")

        let blank = #expect(throws: AgentError.self) { try PlanBinaries.decode("  ") }
        #expect(blank?.code == .download)
        #expect(blank?.description == "plan info must not be blank")

        do {
            _ = try UpgradeName("..")
            Issue.record("the name .. was accepted")
        } catch {
            #expect(AgentError(.command, error).description == error.description, "FleetCore's message is kept")
        }

        let configuration = AgentError.configuration([ConfigurationProblem("a"), ConfigurationProblem("b")])
        #expect(configuration.problems == [ConfigurationProblem("a"), ConfigurationProblem("b")])
    }
}
