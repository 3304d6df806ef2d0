import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet exec`'s fan-out, in FleetCore beside the status collector: real sshd, one outcome per host.
@Suite("Fleet exec collector", .tags(.sshd), .timeLimit(.minutes(2)))
struct FleetExecCollectorTests {
    @Test("one outcome per host in inventory order: output and exit status, or why it was not reached")
    func outcomesPerHost() async throws {
        try await SSHTestSupport.withNodes(2) { sandbox in
            let nodes = Dictionary(uniqueKeysWithValues: sandbox.nodes.map { ($0.name, $0) })
            let names = sandbox.nodes.map(\.name)
            let hosts = try (names + ["gone"]).map { try InventoryHost(name: $0) }
            let closed = try TestPorts.free()
            let outcomes = await FleetExecCollector.run(
                "echo out; echo err >&2; exit 3",
                hosts: hosts,
                target: { host in
                    guard let node = nodes[host.name] else {
                        var target = SSHTestSupport.target(sandbox, sandbox.nodes[0])
                        target.port = closed
                        return target
                    }
                    return SSHTestSupport.target(sandbox, node)
                },
                maxConcurrent: 2, timeout: .seconds(20)
            )
            #expect(outcomes.map(\.host) == names + ["gone"])
            for outcome in outcomes.prefix(2) {
                #expect(outcome.result?.output == "out\n")
                #expect(outcome.result?.errorOutput == "err\n")
                #expect(outcome.result?.exitStatus == 3)
                #expect(outcome.failure == "exit 3")
                #expect(!outcome.succeeded)
            }
            #expect(outcomes[2].result == nil)
            #expect(outcomes[2].failure == "unreachable")
            #expect(outcomes[2].error?.isEmpty == false)
        }
    }

    @Test("a host that exits 0 succeeded and has no failure")
    func success() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let outcomes = await FleetExecCollector.run(
                "true", hosts: [try InventoryHost(name: "n")],
                target: { _ in SSHTestSupport.target(sandbox, sandbox.nodes[0]) },
                maxConcurrent: 4, timeout: .seconds(20)
            )
            #expect(outcomes.map(\.succeeded) == [true])
            #expect(outcomes[0].failure == nil)
        }
    }
}
