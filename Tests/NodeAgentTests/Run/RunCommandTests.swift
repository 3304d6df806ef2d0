import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

/// `node-agent run <args…>` hands every argument to the child unchanged (end to end through the root
/// command's own argument handling).
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunCommandTests {
    static let printArguments = """
        #!/bin/sh
        for a in "$@"; do echo "arg:$a"; done
        echo "cwd:$(pwd)"
        """

    @Test(arguments: [
        ["start", "--home", "/x", "--foo"],
        ["start", "--help"],
        ["--home=/x", "-v", "--", "start", "--unsafe-skip-upgrades", "10", "20"],
        ["version", "--long", "--output", "json", "with space", ""],
    ])
    func argumentsPassThroughVerbatim(arguments: [String]) async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: Self.printArguments)
        let run = try await h.run(arguments)
        #expect(run.process.exited == .exited(0), "\(run.stderr)")
        let expected = arguments.map { "arg:\($0)\n" }.joined() + "cwd:\(h.root)\n"
        #expect(run.childOutput == expected)
    }

    @Test func aLeadingCosmovisorConfigIsTheAgents() throws {
        for arguments in [
            ["--cosmovisor-config", "/c.toml", "start", "-c", "x"], ["-c", "/c.toml", "start", "-c", "x"],
            ["--cosmovisor-config=/c.toml", "start", "-c", "x"],
        ] {
            let split = RunCommand.splitConfigFlag(arguments)
            #expect(split.path == "/c.toml")
            #expect(split.rest == ["start", "-c", "x"])
        }
        #expect(RunCommand.splitConfigFlag(["start", "-c", "x"]) == ("", ["start", "-c", "x"]))
    }
}
