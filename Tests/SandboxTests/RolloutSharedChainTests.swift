import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet rollout` of a patch release on the sandbox's one shared chain, with agents supervising: the chain
/// (our two validators hold half its power) keeps making blocks while every node restarts on v2.1 in turn.
///
/// The chain's own record is the union of the `commit` lines of every node's `data/blocks.log`: exactly one
/// node commits each height (under the chain's lock) and writes it with the time it did, so the union holds
/// every height the chain made, with when. No node stays up through a rollout of every node, so no single
/// log is the chain's record.
@Suite("fleet rollout on the shared chain", .tags(.chain), .timeLimit(.minutes(3)))
struct RolloutSharedChainTests {
    /// 500 ms blocks: a loaded 2-core machine keeps this interval, so a gap of 3 intervals is a stopped chain,
    /// not a late wake-up.
    static let blockIntervalMs: Int64 = 500

    /// The chain's blocks, from every node's `commit` lines: height → unix ms of its commit.
    static func chainBlocks(_ sandbox: Sandbox) throws -> [Int64: Int64] {
        var blocks: [Int64: Int64] = [:]
        for node in sandbox.nodes {
            let text = try String(contentsOfFile: node.home + "/data/blocks.log", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 4, fields[3] == "commit", let height = Int64(fields[0]),
                    let ms = Int64(fields[2])
                else { continue }
                #expect(blocks[height] == nil, "height \(height) committed twice")
                blocks[height] = ms
            }
        }
        return blocks
    }

    /// nil when the chain made every height from the last one before `start` to the first one after `end`,
    /// each within `bound` ms of the one before (and of `start` and `end`); else what is wrong.
    static func stallProblem(_ blocks: [Int64: Int64], from start: Int64, to end: Int64, bound: Int64) -> String? {
        guard let first = blocks.filter({ $0.value <= start }).keys.max(),
            let last = blocks.filter({ $0.value >= end }).keys.min()
        else { return "no block before \(start) or none after \(end): \(blocks.count) blocks" }
        for height in first...last where blocks[height] == nil { return "height \(height) is missing" }
        for height in first..<last {
            let gap = blocks[height + 1]! - blocks[height]!
            if gap > bound { return "\(gap) ms between heights \(height) and \(height + 1) (bound \(bound) ms)" }
        }
        return nil
    }

    @Test(
        "rollout of v2.1 after a governance upgrade to v2: every node on v2.1, heights contiguous, no gap over 3 block intervals"
    )
    func patchRolloutKeepsTheChainLive() async throws {
        try await withSandbox(.withAgents(blockInterval: "\(Self.blockIntervalMs)ms")) { sandbox in
            try sandbox.stage("v2")
            try await SharedChain.waitForChain(sandbox, atLeast: 2, "start")
            let plan = try await sandbox.propose("v2", blocksAhead: 8)
            try await SharedChain.waitForChain(sandbox, atLeast: plan + 3, "the agents switch to v2")
            for node in sandbox.nodes {
                try await waitUntil("\(node.name) on v2 and in sync past \(plan)") {
                    let status = try await SharedChain.status(sandbox, node.name)
                    return status.height > plan && !status.catchingUp
                        && RolloutSandboxTests.current(node) == "upgrades/v2"
                }
            }
            try await RolloutSandboxTests.stage(sandbox, "v2.1", sandbox.releases["v2.1"]!.path)

            let start = Int64(Date().timeIntervalSince1970 * 1000)
            // The shared chain's own /validators gives the total power and the lag bound is the default (5
            // blocks): the gates are the real ones.
            let result = try await RolloutSandboxTests.fleet(sandbox, ["rollout", "v2.1", "--gate-timeout", "60s"])
            let end = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(result.exitCode == 0, "\(result.output)\(result.errorOutput)")
            #expect(result.output.contains("fleet rollout v2.1: done; 4 nodes switched"), "\(result.output)")
            for node in sandbox.nodes {
                #expect(RolloutSandboxTests.current(node) == "upgrades/v2.1", "\(node.name)")
                let record = try RolloutSandboxTests.switches(node).last
                #expect(record?.from == "v2" && record?.to == "v2.1" && record?.outcome == .ok, "\(node.name)")
                #expect(record?.by?.hasPrefix("fleet rollout v2.1 (") == true, "\(String(describing: record))")
            }
            // The first block after the rollout ended, so the window is closed on both sides.
            try await waitUntil("a block after the rollout") {
                try Self.chainBlocks(sandbox).values.contains { $0 >= end }
            }
            let blocks = try Self.chainBlocks(sandbox)
            let problem = Self.stallProblem(blocks, from: start, to: end, bound: 3 * Self.blockIntervalMs)
            #expect(problem == nil, "the chain stalled during the rollout")
            #expect(try await sandbox.chainReport().applied == [.init(name: "v2", height: plan)])
            for node in sandbox.nodes {
                try await waitUntil("\(node.name) to follow the chain on v2.1") {
                    try sandbox.blocks(node.name).last?.version == "v2.1"
                }
            }
        }
    }
}
