import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet preflight` end to end: the built binary against a 4-node sandbox with agents supervising.
@Suite("fleet preflight on a sandbox", .tags(.chain), .timeLimit(.minutes(4)))
struct PreflightSandboxTests {
    @Test(
        "all green after staging v2 everywhere (sha256, version, height checked); red with exit 1 and the cell named when one node lacks it or holds another file"
    )
    func greenThenRed() async throws {
        try await withSandbox(.withAgents()) { sandbox in
            let v2 = sandbox.releases["v2"]!
            let unstaged = try await PreflightSandbox.fleet(sandbox, ["preflight", "v2"])
            #expect(unstaged.exitCode == 1, "\(unstaged.output)\(unstaged.errorOutput)")
            for node in sandbox.nodes { #expect(unstaged.output.contains("\(node.name): staged: missing:")) }

            try await PreflightSandbox.stage(sandbox)
            let height = try await PreflightSandbox.topHeight(sandbox) + 1000
            let green = try await PreflightSandbox.fleet(
                sandbox,
                ["preflight", "v2", "--version", "v2", "--sha256", v2.sha256, "--height", "\(height)", "--json"])
            #expect(green.exitCode == 0, "\(green.output)\(green.errorOutput)")
            let matrix = try PreflightSandbox.matrix(green)
            #expect(matrix["is_green"] as? Bool == true)
            let rows = try #require(matrix["rows"] as? [[String: Any]])
            #expect(rows.map { $0["host"] as? String } == sandbox.nodes.map(\.name))
            for row in rows {
                let cells = try #require(row["cells"] as? [[String: Any]])
                let verdicts = Dictionary(
                    uniqueKeysWithValues: cells.map { ($0["check"] as? String ?? "", $0["verdict"] as? String ?? "") })
                // The sandbox's agents run with UNSAFE_SKIP_BACKUP=true: the disk check is skipped, all else passes.
                #expect(verdicts["disk"] == "skip", "\(row)")
                #expect(verdicts.filter { $0.key != "disk" }.values.allSatisfy { $0 == "pass" }, "\(row)")
            }
            let text = try await PreflightSandbox.fleet(sandbox, ["preflight", "v2", "--height", "\(height)"])
            #expect(text.exitCode == 0)
            #expect(text.output.contains("all 4 nodes ready"), "\(text.output)")
            #expect(text.output.contains("blocks left"))

            let lacking = sandbox.nodes[0]
            let different = sandbox.nodes[3]
            try FileManager.default.removeItem(atPath: StageSandbox.target(lacking))
            try FileManager.default.removeItem(atPath: StageSandbox.target(different))
            try FileManager.default.copyItem(
                atPath: sandbox.releases["v3"]!.path, toPath: StageSandbox.target(different))
            let red = try await PreflightSandbox.fleet(sandbox, ["preflight", "v2", "--version", "v2"])
            #expect(red.exitCode == 1, "\(red.output)\(red.errorOutput)")
            #expect(red.output.contains("NOT READY"))
            #expect(
                red.output.contains(
                    "\(lacking.name): staged: missing: \(lacking.home)/cosmovisor/upgrades/v2/bin/mockchaind"))
            #expect(red.output.contains("\(different.name): sha256: "))
            #expect(red.output.contains("\(different.name): version: v3, not v2"))
            let json = try PreflightSandbox.matrix(
                try await PreflightSandbox.fleet(sandbox, ["preflight", "v2", "--json"]))
            #expect(json["is_green"] as? Bool == false)
            let failing = (json["rows"] as? [[String: Any]] ?? []).flatMap { row in
                (row["cells"] as? [[String: Any]] ?? []).filter { $0["verdict"] as? String == "fail" }.map {
                    "\(row["host"] as? String ?? ""):\($0["check"] as? String ?? "")"
                }
            }
            #expect(
                failing == [
                    "\(lacking.name):staged", "\(lacking.name):sha256", "\(lacking.name):executable",
                    "\(different.name):sha256",
                ])
        }
    }
}
