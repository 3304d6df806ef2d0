import FleetCore
import Foundation

/// One request on the control socket (`cosmovisor/.node-agent/control.sock`): a JSON document, one per
/// connection, at most ``ControlMessage/maxRequestBytes``.
///
/// ```json
/// {"command":"switch","name":"v2.1","restart":true,"by":"fleet rollout v2.1 (alice@laptop)"}
/// {"command":"restart","up_timeout":30}
/// {"command":"status"}
/// ```
struct ControlRequest: Codable, Sendable, Equatable {
    /// What is asked.
    enum Command: String, Codable, Sendable {
        /// Stop the node, point `current` at the release `name`, start it again unless `restart` is false.
        case `switch`
        /// Stop the node and start it again.
        case restart
        /// The ``NodeStatus`` document, from the agent's memory.
        case status
    }

    var command: Command
    /// The release for `switch`: an upgrade name (recased as the agent does) or `genesis`.
    var name: String?
    /// For `switch`: start the node on the new release (default `true`).
    var restart: Bool?
    /// For `switch`: who asks, in the requester's words (`fleet rollout v2 (alice@laptop)`); recorded with
    /// the switch, at most ``ControlMessage/maxByBytes`` bytes kept.
    var by: String?
    /// For `switch` and `restart`: how many seconds the started node may take to answer its RPC before the
    /// request fails (a switched node is then stopped and switched back); the agent's default when absent
    /// (``Supervisor/upTimeout``), at least 1 and at most ``ControlMessage/maxUpTimeoutSeconds``.
    var upTimeout: Int?
}

/// The wire rules shared by the agent's server and the CLI's client.
enum ControlMessage {
    /// The largest request read; a longer one is answered `bad-request`.
    static let maxRequestBytes = 4096
    /// The most bytes of a request's `by` kept in the switch record.
    static let maxByBytes = 256
    /// The largest answer a client reads (a status document is a few KiB).
    static let maxReplyBytes = 1 << 20
    /// The longest ``ControlRequest/upTimeout`` honoured.
    static let maxUpTimeoutSeconds = 3600
    /// How long the server waits for a whole request.
    static let readTimeout = Duration.seconds(5)

    /// `cosmovisor/.node-agent/control.sock` of a home.
    static func socketPath(in layout: CosmovisorLayout) -> String {
        layout.agentDirectory + "/control.sock"
    }

    /// One line of compact JSON, keys snake_case and sorted.
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"ok":false,"outcome":"failed","message":"encoding"}"#.utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// Decodes a document written by ``encode(_:)``.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(bytes))
    }
}
