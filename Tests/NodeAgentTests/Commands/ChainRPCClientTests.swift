import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Testing

@testable import NodeAgent

/// The one node-RPC client (`/status` for `status` and the height gate, `abci_query` for `prepare-upgrade`)
/// against a real mockchaind, and a plain HTTP server for the failures.
@Suite("node RPC client", .tags(.processes), .serialized, .timeLimit(.minutes(1)))
struct ChainRPCClientTests {
    @Test("status, height and the plan query share one client; failures say what went wrong and where")
    func oneClient() async throws {
        try await withTemporaryDirectory { dir in
            // A real node RPC (mockchaind: `/status` and x/upgrade's CurrentPlan over `abci_query`), no plan.
            let chain = try await Mockchain.prepared(in: dir + "/chain")
            try await chain.serving {
                let client = ChainRPCClient(baseURL: chain.rpc + "/")
                #expect(client.baseURL == chain.rpc)
                try await waitUntil("mockchaind to commit a block") { (await client.height() ?? 0) > 0 }
                let status = await client.status()
                #expect(status.error == nil)
                #expect((status.height ?? 0) > 0)
                let plan = try await client.currentPlan()
                #expect(plan == nil)

                // No plan from the node: prepare-upgrade says so and does nothing.
                var configuration = AgentConfiguration(home: dir + "/home", name: "appd")
                configuration.rpcURL = chain.rpc
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                let prepared = try await UpgradePreparer(configuration: configuration).prepare(logger: logger)
                #expect(prepared == nil)
            }
            // A server that is not a node: its status line is named.
            try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let missing = ChainRPCClient(baseURL: server.baseURL + "/missing")
                #expect(
                    await missing.status().error
                        == "GET \(server.baseURL)/missing/status: \"HTTP/1.0 404 File not found\""
                )
                #expect(await missing.height() == nil)
            }
            let closed = try TestPorts.free()
            let refused = ChainRPCClient(baseURL: "http://127.0.0.1:\(closed)")
            #expect(await refused.status().error == "GET http://127.0.0.1:\(closed)/status: connection refused")
            let planError = await #expect(throws: AgentError.self) { try await refused.currentPlan() }
            #expect(
                planError?.message
                    == "failed to query upgrade info: GET http://127.0.0.1:\(closed)/abci_query?path=%22"
                    + "/cosmos.upgrade.v1beta1.Query/CurrentPlan%22: connection refused"
            )
            #expect(
                await ChainRPCClient(baseURL: "ftp://127.0.0.1").status().error
                    == "GET ftp://127.0.0.1/status: unsupported RPC URL (http:// or https:// only)"
            )
        }
    }
}
