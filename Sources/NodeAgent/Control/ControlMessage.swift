import FleetCore
import Foundation

/// One request on the control socket (`cosmovisor/.node-agent/control.sock`): a JSON document, one per
/// connection, at most ``ControlMessage/maxRequestBytes``.
///
/// ```json
/// {"command":"switch","name":"v2.1","restart":true}
/// {"command":"restart"}
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
}

/// The one answer to a ``ControlRequest``.
///
/// ```json
/// {"ok":true,"outcome":"ok","message":"switched genesis -> v2; the node runs (pid 4242)","from":"genesis","to":"v2","child_pid":4242}
/// {"ok":false,"outcome":"busy","message":"upgrade v3 is in progress (backup)"}
/// ```
struct ControlReply: Codable, Sendable, Equatable {
    /// Why a request was not done; `ok` when it was.
    enum Outcome: String, Codable, Sendable {
        case ok
        /// Refused, nothing changed: an upgrade, another switch or restart, or a shutdown is under way.
        case busy
        /// Refused, nothing changed: no release of that name is staged (or the name is invalid).
        case unknownName = "unknown-name"
        /// Refused, nothing changed: the release's directory has no `bin/<daemon>`.
        case binaryMissing = "binary-missing"
        /// Refused, nothing changed: the release's binary is not an executable file.
        case notExecutable = "not-executable"
        /// Refused, nothing changed: the request could not be read (size, time, JSON, fields).
        case badRequest = "bad-request"
        /// Refused, nothing changed: the peer is neither the agent's user nor root.
        case forbidden
        /// Accepted but not done; ``ControlReply/message`` says what state the node is left in.
        case failed
        /// Client side: nothing listens on the socket (no agent runs for this home).
        case noAgent = "no-agent"
        /// Client side: the agent took the request but no complete answer came within the timeout.
        case noAnswer = "no-answer"
    }

    var ok: Bool
    var outcome: Outcome
    /// A sentence for the operator.
    var message: String
    /// For `switch`: the release `current` selected before, and the one asked for.
    var from: String?
    var to: String?
    /// The node's pid once it is up.
    var childPid: Int32?
    /// For `status`.
    var status: NodeStatus?

    init(
        _ outcome: Outcome,
        _ message: String,
        from: String? = nil,
        to: String? = nil,
        childPid: Int32? = nil,
        status: NodeStatus? = nil
    ) {
        self.ok = outcome == .ok
        self.outcome = outcome
        self.message = message
        self.from = from
        self.to = to
        self.childPid = childPid
        self.status = status
    }
}

/// The wire rules shared by the agent's server and the CLI's client.
enum ControlMessage {
    /// The largest request read; a longer one is answered `bad-request`.
    static let maxRequestBytes = 4096
    /// The largest answer a client reads (a status document is a few KiB).
    static let maxReplyBytes = 1 << 20
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
