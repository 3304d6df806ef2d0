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

    /// Parses a `/status` body (JSON-RPC envelope or bare result).
    static func parse(_ data: Data) throws -> NodeStatus.ChainInfo {
        struct Sync: Decodable {
            var latest_block_height: String
            var latest_block_time: String?
            var catching_up: Bool?
        }
        struct NodeInfo: Decodable { var network: String? }
        struct Result: Decodable {
            var sync_info: Sync
            var node_info: NodeInfo?
        }
        struct Envelope: Decodable { var result: Result }
        let decoder = JSONDecoder()
        let result: Result
        if let envelope = try? decoder.decode(Envelope.self, from: data) {
            result = envelope.result
        } else {
            result = try decoder.decode(Result.self, from: data)
        }
        return NodeStatus.ChainInfo(
            height: Int64(result.sync_info.latest_block_height),
            catchingUp: result.sync_info.catching_up,
            latestBlockTime: result.sync_info.latest_block_time,
            network: result.node_info?.network
        )
    }
}
