import FleetCore
import Foundation

/// What the HTTP listener answers, by path; every answer is built from the published view and the disk,
/// never by asking the supervisor.
struct HTTPEndpoints: Sendable {
    var configuration: AgentConfiguration
    var publication: AgentPublication

    /// The answer for a GET of `path`.
    func answer(_ path: String) -> HTTPResponse {
        switch path {
        case "/healthz":
            return health()
        case "/status":
            let status = AcceptLoop.awaitResult { [configuration, publication] in
                await Supervisor.status(configuration, publication)
            }
            guard let data = try? NodeStatus.encoder.encode(status) else {
                return HTTPResponse(status: 500, body: "cannot encode the status\n")
            }
            return HTTPResponse(
                status: 200,
                contentType: "application/json",
                body: String(decoding: data, as: UTF8.self) + "\n"
            )
        case "/metrics":
            let view = publication.view
            let rpc = ChainRPCClient(baseURL: configuration.rpcURL)
            let height = AcceptLoop.awaitResult { await rpc.height() }
            let text = AgentMetrics(configuration: configuration, view: view, chainHeight: height).render()
            return HTTPResponse(status: 200, contentType: AgentMetrics.contentType, body: text)
        default:
            return HTTPResponse(status: 404, body: "not found; try /status, /metrics or /healthz\n")
        }
    }

    /// 200 `ok` while the node runs under the agent; 503 with the child's state otherwise (starting,
    /// stopping, upgrading, switching, parked, stopped).
    private func health() -> HTTPResponse {
        let state = publication.view.record.child.state
        if state == Supervisor.publicState(.running) { return HTTPResponse(status: 200, body: "ok\n") }
        return HTTPResponse(status: 503, body: "node \(state)\n")
    }
}
