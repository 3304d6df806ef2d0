import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Testing

@testable import NodeAgent

/// The one node-RPC client (`/status` for `status` and the height gate, `abci_query` for `prepare-upgrade`)
/// against a real HTTP server on loopback.
@Suite("node RPC client", .tags(.processes), .serialized, .timeLimit(.minutes(1)))
struct ChainRPCClientTests {
    @Test("status, height and the plan query share one client; failures say what went wrong and where")
    func oneClient() async throws {
        try await withTemporaryDirectory { dir in
            let status =
                #"{"result":{"node_info":{"network":"test-1"},"#
                + #""sync_info":{"latest_block_height":"4242","catching_up":false}}}"#
            try HTTPDownloadTests.write(Data(status.utf8), to: dir + "/www/status")
            try HTTPDownloadTests.write(PrepareUpgradeTests.answer(nil), to: dir + "/www/abci_query")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let client = ChainRPCClient(baseURL: server.baseURL + "/")
                #expect(client.baseURL == server.baseURL)
                let chain = await client.status()
                #expect(chain.height == 4242)
                #expect(chain.error == nil)
                #expect(await client.height() == 4242)
                let plan = try await client.currentPlan()
                #expect(plan == nil)

                // No plan from the node: prepare-upgrade says so and does nothing.
                var configuration = AgentConfiguration(home: dir + "/home", name: "appd")
                configuration.rpcURL = server.baseURL
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                let prepared = try await UpgradePreparer(configuration: configuration).prepare(logger: logger)
                #expect(prepared == nil)

                // A path the server does not have: its status line is named.
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
