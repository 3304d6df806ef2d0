import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `node-agent status` and `fleet status`'s shell probe gather raw observations of one home and derive its
/// facts with the same FleetCore function: for every home below they report the same current, pending
/// plan and staged binaries.
@Suite("status and probe agree", .tags(.processes), .timeLimit(.minutes(1)))
struct StatusProbeAgreementTests {
    /// How the home differs from the base one (genesis, v2, v9-lambda, a v3 without execute bit, an empty v4).
    enum Variant: String, CaseIterable {
        case relative, absolute, dotDot, dangling, outside, toFile, missing
        case appliedMixedCase, pendingMixedCase, pendingUnstaged, olderPlan
    }

    static func makeHome(_ dir: String, _ variant: Variant) throws -> String {
        let home = dir + "/home"
        let root = home + "/cosmovisor"
        try AgentCLI.script(root + "/genesis/bin/appd", "echo appd-genesis")
        try AgentCLI.script(root + "/upgrades/v2/bin/appd", "echo appd-v2")
        try AgentCLI.script(root + "/upgrades/v9-lambda/bin/appd", "echo appd-v9")
        try AgentCLI.script(root + "/upgrades/v3/bin/appd", "echo appd-v3", mode: 0o644)
        try FileManager.default.createDirectory(atPath: root + "/upgrades/v4", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: root + "/upgrades/file"))
        try FileManager.default.createDirectory(atPath: home + "/data", withIntermediateDirectories: true)
        func link(_ target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: target)
        }
        func plan(_ name: String, _ height: Int, at path: String) throws {
            try #"{"name":"\#(name)","time":"0001-01-01T00:00:00Z","height":\#(height)}"#
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        switch variant {
        case .relative: try link("upgrades/v2")
        case .absolute: try link(root + "/upgrades/v2")
        case .dotDot: try link("../cosmovisor/upgrades/v2")
        case .dangling: try link("upgrades/v8")
        case .outside: try link(dir)
        case .toFile: try link("upgrades/file")
        case .missing: break
        case .appliedMixedCase, .olderPlan:
            try link(variant == .olderPlan ? root + "/upgrades/v9-lambda" : "upgrades/v9-lambda")
            try plan(
                variant == .olderPlan ? "v2" : "v9-Lambda",
                variant == .olderPlan ? 500 : 900,
                at: home + "/data/upgrade-info.json"
            )
            try plan("v9-lambda", 900, at: root + "/upgrades/v9-lambda/upgrade-info.json")
        case .pendingMixedCase, .pendingUnstaged:
            try link(root + "/upgrades/v2")
            try plan(variant == .pendingUnstaged ? "V4" : "v9-Lambda", 900, at: home + "/data/upgrade-info.json")
            try plan("v2", 500, at: root + "/upgrades/v2/upgrade-info.json")
        }
        return home
    }

    @Test(
        "the agent's status and the probe report the same current, pending plan and binaries",
        arguments: Variant.allCases
    )
    func agree(variant: Variant) async throws {
        try await withTemporaryDirectory { dir in
            let home = try Self.makeHome(dir, variant)
            let environment = [
                "DAEMON_HOME": home, "DAEMON_NAME": "appd", "NODE_AGENT_RPC": "http://127.0.0.1:1",
                "XDG_CACHE_HOME": dir + "/cache",
            ]
            let result = try await AgentCLI.run(["status", "--json"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let agent = try NodeStatus.decode(result.stdout)

            let target = NodeProbe.Target(
                daemonHome: home,
                daemonName: "appd",
                nodeRPC: "http://127.0.0.1:1",
                agentPath: nil
            )
            let run = try await ProcessRunner.runAsync(
                ["/bin/sh", "-c", NodeProbe.command(for: target)],
                environment: ["XDG_CACHE_HOME": dir + "/cache"]
            )
            let (probe, source) = try NodeProbe.parse(
                stdout: run.stdout,
                exitStatus: run.exitCode,
                target: target,
                collectedAt: "now"
            )
            #expect(source == .probe)
            #expect(agent.current == probe.current)
            #expect(agent.pendingPlan == probe.pendingPlan)
            #expect(agent.binaries == probe.binaries)

            switch variant {
            case .relative, .absolute, .dotDot: #expect(agent.current.version == "appd-v2")
            case .dangling, .outside, .toFile: #expect(agent.current.error != nil && agent.current.version == nil)
            case .missing: #expect(agent.current.version == "appd-genesis")
            case .appliedMixedCase, .olderPlan: #expect(agent.pendingPlan == nil)
            case .pendingMixedCase:
                #expect(agent.pendingPlan == .init(name: "v9-Lambda", height: 900, binaryStaged: true))
            case .pendingUnstaged: #expect(agent.pendingPlan == .init(name: "V4", height: 900, binaryStaged: false))
            }
        }
    }
}
