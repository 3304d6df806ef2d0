import FleetCore
import Foundation

/// The node's CometBFT RPC (`NODE_AGENT_RPC`): `/status` for `status` and the height gate, `abci_query`
/// for `prepare-upgrade`'s plan query. One client, one timeout policy.
///
/// `http://` is one HTTP/1.0 GET over a plain socket (the RPC is local and unencrypted, and this keeps
/// HTTP client libraries out of the agent); `https://` goes through the system `curl` (``CurlCommand``).
/// Every request has ``timeout`` from connect to last byte and an answer of at most ``maxAnswerBytes``.
struct ChainRPCClient: Sendable {
    /// The RPC base URL, without a trailing `/`.
    var baseURL: String

    /// How long one request may take in all.
    static let timeout = Duration.seconds(5)
    /// The largest answer read (a `/status` or a plan is a few KiB).
    static let maxAnswerBytes = 1 << 20

    init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The body of `GET <baseURL><pathAndQuery>` for a 2xx answer.
    ///
    /// - Throws: ``AgentError`` `GET <url>: <reason>` (unsupported scheme, connection refused, no
    ///   answer within the timeout, not a 2xx status, too large).
    func get(_ pathAndQuery: String) async throws(AgentError) -> Data {
        let address = baseURL + pathAndQuery
        switch URL(string: baseURL)?.scheme?.lowercased() {
        case "http":
            let outcome = await BlockingWork.run { () -> Result<Data, AgentError> in
                do throws(AgentError) {
                    return .success(try Self.plainGet(address, timeout: Self.timeout, maxBytes: Self.maxAnswerBytes))
                } catch {
                    return .failure(error)
                }
            }
            return try outcome.get()
        case "https":
            guard let url = URL(string: address) else { throw AgentError(.download, "GET \(address): invalid URL") }
            return try await CurlCommand().get(url, timeLimit: Self.timeout, maxBytes: Self.maxAnswerBytes)
        default:
            throw AgentError(.download, "GET \(address): unsupported RPC URL (http:// or https:// only)")
        }
    }

    /// The chain view from `/status`; on failure a record with only ``NodeStatus/ChainInfo/error`` set.
    func status() async -> NodeStatus.ChainInfo {
        do {
            return try Self.parse(try await get("/status"))
        } catch let error as AgentError {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: error.message)
        } catch {
            return NodeStatus.ChainInfo(height: nil, catchingUp: nil, error: "GET \(baseURL)/status: \(error)")
        }
    }

    /// The latest committed height from `/status`, `nil` when the RPC does not tell.
    func height() async -> Int64? {
        guard let body = try? await get("/status") else { return nil }
        return try? CometBFTStatus.parse(body).height
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
