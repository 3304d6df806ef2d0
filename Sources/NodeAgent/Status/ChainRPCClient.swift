import FleetCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads the node's CometBFT `GET <rpc>/status`.
enum ChainRPCClient {
    /// How long the status request may take.
    static let timeout: TimeInterval = 2

    /// The chain view; on failure a record with only ``NodeStatus/ChainInfo/error`` set.
    static func status(rpcURL: String) async -> NodeStatus.ChainInfo {
        guard let url = URL(string: rpcURL + "/status") else {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "invalid RPC URL \(rpcURL)")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "GET \(url): HTTP \(http.statusCode)")
            }
            return try parse(data)
        } catch {
            return NodeStatus.ChainInfo(
                height: nil,
                catchingUp: nil,
                error: "GET \(url): \(error.localizedDescription)"
            )
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
