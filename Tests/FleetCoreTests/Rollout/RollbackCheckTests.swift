import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Rollback's checks (the release before, an executed migration), the double-sign interlock and the
/// rollout probe's parser.
@Suite("Rollback check and interlock", .tags(.pure))
struct RollbackCheckTests {
    static func record(
        _ from: String, _ to: String, _ outcome: AgentRuntimeState.SwitchRecord.Outcome = .ok
    )
        -> AgentRuntimeState.SwitchRecord
    {
        .init(
            requestedAt: "2026-12-01T10:00:00Z", requestedBy: 1000, from: from, to: to, restart: true,
            outcome: outcome, message: "", durationSeconds: 1)
    }

    @Test("the release before is the from of the last successful switch to it")
    func previousRelease() {
        let switches = [
            Self.record("genesis", "v2"), Self.record("v2", "genesis"), Self.record("v3", "v2"),
            Self.record("genesis", "v2", .failed),
        ]
        #expect(RollbackCheck.previousRelease(of: "v2", switches: switches) == "v3")
        #expect(RollbackCheck.previousRelease(of: "genesis", switches: switches) == "v2")
        #expect(RollbackCheck.previousRelease(of: "v4", switches: switches) == nil)
        #expect(RollbackCheck.previousRelease(of: "v2", switches: [Self.record("genesis", "v2", .failed)]) == nil)
    }

    @Test("a migration recorded for the release blocks once the chain reached its height")
    func executedMigration() {
        let records: [RolloutObservation.UpgradeRecord] = [
            .init(file: "data/upgrade-info.json", name: "V2", height: 120),
            .init(file: "cosmovisor/upgrades/v2.1/upgrade-info.json", name: "v2", height: 120),
        ]
        #expect(RollbackCheck.executedMigration(of: "v2", records: records, height: 130)?.height == 120)
        #expect(RollbackCheck.executedMigration(of: "v2", records: records, height: 120) != nil)
        #expect(RollbackCheck.executedMigration(of: "v2", records: records, height: 119) == nil)
        #expect(RollbackCheck.executedMigration(of: "v2", records: records, height: nil) != nil)
        #expect(RollbackCheck.executedMigration(of: "v2.1", records: records, height: 500) == nil)
    }

    static func observation(_ host: String, address: String?, running: Bool) -> RolloutObservation {
        let body =
            #"{"sync_info":{"latest_block_height":"10"},"validator_info":{"address":""# + (address ?? "") + #""}}"#
        return RolloutObservation(
            host: host, chain: running ? try? CometBFTStatus.parse(Data(body.utf8)) : nil,
            chainError: running ? nil : "connection refused")
    }

    @Test("the interlock refuses a validator whose key another running node has")
    func interlock() {
        let shared = [
            Self.observation("sentry-1", address: "AAAA", running: true),
            Self.observation("validator-1", address: "AAAA", running: true),
            Self.observation("validator-2", address: "BBBB", running: true),
        ]
        let refusal = DoubleSignInterlock.check(validator: "validator-1", observations: shared)
        #expect(refusal?.kind == .safety)
        #expect(refusal?.exitCode == 3)
        #expect(refusal?.hosts == ["validator-1", "sentry-1"])
        #expect(refusal?.message.contains("AAAA") == true)
        #expect(DoubleSignInterlock.check(validator: "validator-2", observations: shared) == nil)
        let stopped = [
            Self.observation("sentry-1", address: "AAAA", running: false),
            Self.observation("validator-1", address: "AAAA", running: true),
        ]
        #expect(DoubleSignInterlock.check(validator: "validator-1", observations: stopped) == nil)
    }

    @Test("the probe's output: agent status, RPC, state file, records")
    func probeParse() throws {
        let status = NodeStatus(
            collectedAt: "2026-12-01T10:00:00Z", daemonName: "d", daemonHome: "/h",
            current: .init(target: "upgrades/v2", upgrade: "v2"),
            binaries: [.init(name: "v2", path: "/h/b", sha256: "aa", version: "v2", executable: true, size: 1)],
            child: .init(pid: 42, startedAt: nil, uptimeSeconds: 1, starts: 1, upgradesApplied: [], state: "running"))
        let rpc =
            #"{"result":{"sync_info":{"latest_block_height":"77","catching_up":false},"validator_info":{"address":"abcd","voting_power":"12"}}}"#
        let state = AgentRuntimeState(
            pid: 1, startedAt: "t", version: "0", home: "/h", daemonName: "d", updatedAt: "t",
            child: .init(state: "running"), switches: [Self.record("genesis", "v2")])
        let encoder = NodeStatus.encoder
        func b64(_ data: Data) -> String { data.base64EncodedString() }
        let output = [
            "agent\t" + b64(try encoder.encode(status)), "rpc\t" + b64(Data(rpc.utf8)),
            "state\t" + b64(try encoder.encode(state)),
            "record\t" + b64(Data("data/upgrade-info.json".utf8)) + "\t"
                + b64(Data(#"{"name":"v2","height":120}"#.utf8)),
            "manual\t" + b64(Data(#"{"schema":1,"upgrades":[{"added_at":"t","height":300,"name":"v3"}]}"#.utf8)),
        ].joined(separator: "\n")
        let parsed = RolloutProbe.parse(Data(output.utf8), host: "n1")
        #expect(parsed.error == nil)
        #expect(parsed.currentRelease == "v2")
        #expect(parsed.childRunning)
        #expect(parsed.staged("v2") && !parsed.staged("v3"))
        #expect(parsed.chain?.height == 77)
        #expect(parsed.chain?.votingPower == 12)
        #expect(parsed.consensusAddress == "ABCD")
        #expect(parsed.state?.switches?.first?.to == "v2")
        #expect(
            parsed.records == [
                .init(file: "data/upgrade-info.json", name: "v2", height: 120),
                .init(file: "cosmovisor/.node-agent/manual-upgrades.json", name: "v3", height: 300),
            ])
        let noAgent = RolloutProbe.parse(Data(("rpc\t" + b64(Data(rpc.utf8))).utf8), host: "n2")
        #expect(noAgent.error?.contains("no node-agent") == true)
    }

    @Test("a /validators page: power summed, total read")
    func validatorSet() {
        let body =
            #"{"result":{"block_height":"5","validators":[{"address":"a","voting_power":"10"},{"address":"b","voting_power":"90"}],"count":"2","total":"3"}}"#
        let set = ValidatorSet.parse(Data(body.utf8))
        #expect(set?.power == 100)
        #expect(set?.total == 3)
        #expect(set?.validators.map(\.address) == ["A", "B"])
        #expect(ValidatorSet.parse(Data("404 page not found".utf8)) == nil)
    }
}
