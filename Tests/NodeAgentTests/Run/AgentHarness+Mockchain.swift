import FleetCore
import FleetTestSupport
import Foundation
import Glibc

@testable import NodeAgent

/// One block line of mockchaind's `data/blocks.log`.
struct MockBlock: Equatable, CustomStringConvertible {
    var height: Int
    var version: String
    var description: String { "\(height):\(version)" }
}

extension AgentHarness {
    /// Builds mockchaind v1–v3, installs v1 as genesis and v2/v3 as upgrades, and initialises the node home.
    ///
    /// - Returns: the RPC URL the node will serve.
    func setUpMockchain(blockInterval: String = "50ms") async throws -> String {
        let releases = directory + "/releases"
        let build = try await ProcessRunner.runAsync([
            "python3", TestPaths.scripts + "/sandbox.py", "build-versions", "--out", releases,
        ])
        guard build.exitCode == 0 else { throw HarnessError("build-versions: \(build.errorOutput)") }
        try installCopy("genesis", from: releases + "/v1/mockchaind")
        try installCopy("upgrades/v2", from: releases + "/v2/mockchaind")
        try installCopy("upgrades/v3", from: releases + "/v3/mockchaind")
        let port = try Self.freePort()
        let initialise = try await ProcessRunner.runAsync([
            releases + "/v1/mockchaind", "init", "node", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)",
            "--block-interval", blockInterval,
        ])
        guard initialise.exitCode == 0 else { throw HarnessError("mockchaind init: \(initialise.errorOutput)") }
        return "http://127.0.0.1:\(port)"
    }

    /// `mockchaind propose-upgrade NAME HEIGHT` (the chain's governance plan).
    func propose(_ name: String, at height: Int) throws {
        let result = try ProcessRunner.run([
            directory + "/releases/v1/mockchaind", "propose-upgrade", name, "\(height)", "--home", home,
        ])
        guard result.exitCode == 0 else { throw HarnessError("propose-upgrade: \(result.errorOutput)") }
    }

    /// Every block committed so far, in order.
    func blocks() -> [MockBlock] {
        let text = (try? String(contentsOfFile: home + "/data/blocks.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let height = Int(parts[0]) else { return nil }
            return MockBlock(height: height, version: String(parts[1]))
        }
    }

    /// Checks the chain's history: consecutive heights from 1, and the version that made each block is
    /// the one the upgrades say (`v1` below the first height, and so on).
    func expectHistory(_ upgrades: [(height: Int, version: String)]) -> String? {
        let blocks = blocks()
        for (index, block) in blocks.enumerated() where block.height != index + 1 {
            return "block \(index + 1) is \(block) in \(blocks)"
        }
        for block in blocks {
            let expected = upgrades.last { block.height >= $0.height }?.version ?? "v1"
            if block.version != expected { return "block \(block) should be \(expected): \(blocks)" }
        }
        return nil
    }

    /// The height in `upgrades/<name>/upgrade-info.json` (the plan the agent switched to).
    func recordedHeight(_ name: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: root + "/upgrades/\(name)/upgrade-info.json"),
            let plan = try? UpgradePlan.decode(data)
        else { return nil }
        return Int(plan.height)
    }

    /// Live mockchaind processes started from this home's cosmovisor tree.
    func nodePids() -> [Int32] {
        ProcessProbe.pids(commandLineContaining: root + "/").filter { pid in
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: raw, as: UTF8.self).contains("mockchaind\u{0}start")
        }
    }

    /// A loopback port no other test of this process was given (``TestPorts/free()``).
    static func freePort() throws -> Int { try TestPorts.free() }
}
