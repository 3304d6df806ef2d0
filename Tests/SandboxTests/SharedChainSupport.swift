import FleetTestSupport
import Foundation

/// Helpers of the shared-chain suites: one node's view, the chain's, and blocks.log checks.
enum SharedChain {
    /// `/status` of node `name`.
    static func status(_ sandbox: Sandbox, _ name: String) async throws -> MockchainStatus {
        try await MockchainStatus.fetch(sandbox.node(name)!.rpc)
    }

    /// Waits until the chain's height is at least `height`.
    static func waitForChain(
        _ sandbox: Sandbox, atLeast height: Int, _ why: String, timeout: Duration = .seconds(60)
    ) async throws {
        try await waitUntil("the chain to reach \(height) (\(why))", timeout: timeout) {
            try await sandbox.chainReport().height >= height
        }
    }

    /// nil when node `name`'s blocks.log holds every height from 1 to its last once, in order, and each
    /// block's version is the one `versionAt` gives; else what is wrong.
    static func historyProblem(
        _ sandbox: Sandbox, _ name: String, versionAt: ((Int) -> Set<String>)? = nil
    ) throws -> String? {
        let blocks = try sandbox.blocks(name)
        for (index, block) in blocks.enumerated() where block.height != index + 1 {
            return "\(name): block \(index + 1) is \(block.height) (a skip or a repeat)"
        }
        if let versionAt {
            for block in blocks where !versionAt(block.height).contains(block.version) {
                return
                    "\(name): block \(block.height) was made by \(block.version), expected \(versionAt(block.height))"
            }
        }
        return nil
    }
}
