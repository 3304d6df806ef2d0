import FleetTestSupport
import Foundation
import Testing

/// The node gets stdio and the agent's lock, nothing else: a descriptor that node-agent's own parent leaked
/// to it (a shell's `exec 7<…`, a test runner's pipe) never reaches the node, where it could keep a pipe
/// open or a file busy for the node's whole life.
@Suite("run: descriptors passed to the node", .tags(.processes), .timeLimit(.minutes(1)))
struct RunDescriptorTests {
    @Test("a descriptor the agent inherited is closed in the node; the agent's lock stays open there")
    func inheritedDescriptorsStayWithTheAgent() async throws {
        try await withTemporaryDirectory { dir in
            let home = CurrentLinkFormsTests.Home.self
            let node = try home.init(dir)
            // The node lists its descriptors (as link targets) into a file and exits.
            try AgentCLI.script(
                node.root + "/genesis/bin/appd",
                #"for fd in /proc/$$/fd/*; do readlink "$fd"; done > "$0.fds""#
            )
            let marker = dir + "/leaked-marker"
            try Data().write(to: URL(fileURLWithPath: marker))
            let wrapper = dir + "/leak-then-run"
            try AgentCLI.script(wrapper, "exec 7<\"\(marker)\"\nexec \"\(AgentCLI.binary)\" \"$@\"")
            let result = try await AgentCLI.run(["run", "start"], environment: node.environment, program: wrapper)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let listed = try String(contentsOfFile: node.root + "/genesis/bin/appd.fds", encoding: .utf8)
            #expect(!listed.contains(marker), "the node inherited the agent's leaked descriptor:\n\(listed)")
            #expect(listed.contains(".node-agent/lock"), "the node must hold the agent's lock:\n\(listed)")
        }
    }
}
