import FleetCore
import Foundation


/// Reads the node's CometBFT `GET <rpc>/status`.
enum ChainRPCClient {
    /// How long the status request may take, in milliseconds.
    static let timeoutMS: Int32 = 2000

    /// The chain view; on failure a record with only ``NodeStatus/ChainInfo/error`` set.
    ///
    /// A plain HTTP/1.0 GET over a socket (``PlainHTTP/get(_:path:timeoutMS:)``): the node's RPC is
    /// local and unencrypted, and this keeps HTTP client libraries out of the agent.
    static func status(rpcURL: String) async -> NodeStatus.ChainInfo {
        guard rpcURL.hasPrefix("http://") else {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "unsupported RPC URL \(rpcURL) (http:// only)")
        }
        let body = await BlockingWork.run { PlainHTTP.get(rpcURL, path: "/status", timeoutMS: timeoutMS) }
        guard let body else {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "GET \(rpcURL)/status: no answer")
        }
        do {
            return try parse(body)
        } catch {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "GET \(rpcURL)/status: \(error)")
        }
    }

    /// Parses a `/status` body (JSON-RPC envelope or bare result) with the fleet's shared parser.
    static func parse(_ data: Data) throws -> NodeStatus.ChainInfo {
        let status = try CometBFTStatus.parse(data)
        return NodeStatus.ChainInfo(
            height: status.height,
            catchingUp: status.catchingUp,
            latestBlockTime: status.latestBlockTime,
            network: status.network
        )
    }
}
