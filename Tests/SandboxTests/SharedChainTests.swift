import FleetTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One simulated chain per sandbox: every node follows it, and it commits a block only while validators
/// holding > 2/3 of the voting power are up (scripts/mockchaind.py SharedChain, docs/sandbox.md).
@Suite("Shared chain: liveness", .tags(.chain), .timeLimit(.minutes(3)))
struct SharedChainTests {
    @Test("a validator down keeps the chain live; back, it catches up, then is in sync; no height skipped")
    func validatorDownAndBack() async throws {
        let options = Sandbox.Options(nodes: 4, validators: 2, blockInterval: "100ms", catchUpSpeed: 2)
        try await withSandbox(options) { sandbox in
            #expect(sandbox.chain?.ourPowerPercent == 50)
            let validator = try await SharedChain.status(sandbox, "validator-1")
            #expect(
                validator.votingPower == 2500
                    && validator.validatorAddress == sandbox.node("validator-1")!.consensusAddress)
            #expect(try await SharedChain.status(sandbox, "sentry-1").votingPower == 0)
            try await SharedChain.waitForChain(sandbox, atLeast: 5, "start")

            try await sandbox.stopNodes(["validator-1"], kill: true)
            let down = try await sandbox.chainReport().height
            try await SharedChain.waitForChain(sandbox, atLeast: down + 40, "75% of the power still up")
            #expect(try await sandbox.chainReport().stalled == false)
            let behind = try await SharedChain.status(sandbox, "sentry-1").height
            #expect(behind >= down + 40, "sentries follow the chain")

            let started = try await sandbox.startNodes(["validator-1"])
            #expect(started.exitCode == 0, "\(started.errorOutput)")
            // While behind it reports catching_up and logs each block it takes as `catchup`: the log keeps what
            // a poll of /status may miss on a loaded machine.
            try await waitUntil("validator-1 to catch up and report it is in sync", timeout: .seconds(60)) {
                let synced = !(try await SharedChain.status(sandbox, "validator-1").catchingUp)
                return try synced && sandbox.blocks("validator-1").last?.how != "catchup"
            }
            let caughtUp = try sandbox.blocks("validator-1").filter { $0.height > down }
            #expect(caughtUp.prefix(10).allSatisfy { $0.how == "catchup" }, "\(caughtUp.prefix(10))")
            let chain = try await sandbox.chainReport().height
            try await waitUntil("validator-1 at the chain's height") {
                try await SharedChain.status(sandbox, "validator-1").height >= chain
            }
            for node in sandbox.nodes {
                #expect(try SharedChain.historyProblem(sandbox, node.name) == nil)
            }
        }
    }

    @Test(
        "both our validators down: with half the power the chain halts where every node stands, and resumes; with 20% it goes on",
        arguments: [50.0, 20.0]
    )
    func bothValidatorsDown(ourPower: Double) async throws {
        let options = Sandbox.Options(nodes: 4, validators: 2, blockInterval: "100ms", ourPower: ourPower)
        try await withSandbox(options) { sandbox in
            try await SharedChain.waitForChain(sandbox, atLeast: 5, "start")
            try await sandbox.stopNodes(["validator-1", "validator-2"], kill: true)
            let down = try await sandbox.chainReport().height
            guard ourPower == 50 else {
                try await SharedChain.waitForChain(sandbox, atLeast: down + 20, "80% of the power is the others'")
                #expect(try await sandbox.chainReport().stalled == false)
                return
            }
            try await waitUntil("the chain to halt without quorum") { try await sandbox.chainReport().stalled }
            let halted = try await sandbox.chainReport().height
            for sentry in ["sentry-1", "sentry-2"] {
                try await waitUntil("\(sentry) at the halted height \(halted)") {
                    try await SharedChain.status(sandbox, sentry).height == halted
                }
            }
            let again = try await sandbox.chainReport()
            #expect(again.height == halted && again.stalled, "no block without > 2/3 of the power")

            #expect(try await sandbox.startNodes(["validator-2"]).exitCode == 0)
            try await SharedChain.waitForChain(sandbox, atLeast: halted + 10, "75% of the power back")
            #expect(try await sandbox.chainReport().stalled == false)
            for node in sandbox.nodes where node.name != "validator-1" {
                try await waitUntil("\(node.name) past \(halted + 5)") {
                    try await SharedChain.status(sandbox, node.name).height > halted + 5
                }
                #expect(try SharedChain.historyProblem(sandbox, node.name) == nil)
            }
        }
    }
}

extension SharedChainTests {
    @Test("--shared-key: two running nodes report one validator address; either keeps its power up")
    func sharedKeyIsOneValidator() async throws {
        let options = Sandbox.Options(
            nodes: 4, validators: 2, sharedKey: ["validator-1", "validator-2"], blockInterval: "100ms")
        try await withSandbox(options) { sandbox in
            let first = try await SharedChain.status(sandbox, "validator-1")
            let second = try await SharedChain.status(sandbox, "validator-2")
            #expect(first.validatorAddress == second.validatorAddress, "the double-sign set-up is visible in /status")
            #expect(first.votingPower == 5000 && second.votingPower == 5000, "one key, one validator with our 50%")
            let (data, _) = try await URLSession.shared.data(
                from: URL(string: sandbox.node("sentry-1")!.rpc + "/validators")!)
            let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let result = try #require(body["result"] as? [String: Any])
            let validators = try #require(result["validators"] as? [[String: Any]])
            #expect(result["total"] as? String == "4", "our one key and three other operators")
            #expect(validators.compactMap { Int($0["voting_power"] as? String ?? "") }.reduce(0, +) == 10000)
            #expect(validators.filter { $0["address"] as? String == first.validatorAddress }.count == 1)

            try await SharedChain.waitForChain(sandbox, atLeast: 3, "start")
            try await sandbox.stopNodes(["validator-1"], kill: true)
            let down = try await sandbox.chainReport().height
            try await SharedChain.waitForChain(sandbox, atLeast: down + 20, "validator-2 signs with the same key")
        }
    }
}
