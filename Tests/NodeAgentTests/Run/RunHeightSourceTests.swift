import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// The height gate's source: CometBFT `/status` over plain HTTP, `<app> status` as the fallback.
@Suite(.tags(.processes), .timeLimit(.minutes(2)))
struct RunHeightSourceTests {
    @Test(
        arguments: [
            (#"{"result":{"sync_info":{"latest_block_height":"123"}}}"#, Int64(123)),
            (#"{"sync_info":{"latest_block_height":"7"}}"#, 7),
            (#"{"SyncInfo":{"latest_block_height":"8"}}"#, 8),
            (#"{"sync_info":{"latest_block_height":9}}"#, 9),
            (#"{"sync_info":{"latest_block_height":""}}"#, nil),
            (#"{"sync_info":{}}"#, nil),
            ("Genesis status --home /x", nil),
        ] as [(String, Int64?)]
    )
    func parseHeight(body: String, height: Int64?) {
        #expect(HeightSource.parseHeight(Data(body.utf8)) == height)
    }

    @Test func rpcStatusOverHTTPWithLocalhostAndFallback() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        // A real node RPC: mockchaind commits up to height 42, then stays up without making blocks.
        let chain = try await Mockchain.prepared(in: h.directory + "/chain", blockInterval: "10ms")
        try await chain.serving("v1", ["--halt-height", "43", "--halt-stay-up"]) {
            let rpc = HeightSource(rpcURL: "http://localhost:\(chain.port)", binary: "/bin/false", home: h.home)
            try await waitUntil("the node's RPC to report height 42") { await rpc.height() == 42 }
        }

        // No RPC: `<current bin> status --home <home>` answers instead; a failing one means "unknown".
        try h.installFile("status.sh", "#!/bin/sh\necho '{\"sync_info\":{\"latest_block_height\":\"77\"}}'\n")
        let closed = try AgentHarness.freePort()
        #expect(
            await HeightSource(rpcURL: "http://127.0.0.1:\(closed)", binary: h.home + "/status.sh", home: h.home)
                .height() == 77
        )
        #expect(
            await HeightSource(rpcURL: "http://127.0.0.1:\(closed)", binary: "/bin/false", home: h.home).height() == nil
        )
    }
}
