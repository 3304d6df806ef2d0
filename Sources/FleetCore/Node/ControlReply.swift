public import Foundation

/// The one answer to a request on the agent's control socket (`node-agent switch`, `restart`, `status`):
/// what the agent writes and what `node-agent switch --json` prints, read by `fleet rollout` over SSH.
///
/// ```json
/// {"ok":true,"outcome":"ok","message":"switched genesis -> v2; the node runs (pid 4242)","from":"genesis","to":"v2","child_pid":4242}
/// {"ok":false,"outcome":"busy","message":"upgrade v3 is in progress (backup)"}
/// ```
public struct ControlReply: Codable, Sendable, Equatable {
    /// Why a request was not done; `ok` when it was.
    public enum Outcome: String, Codable, Sendable {
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

    /// Whether the request was done.
    public var ok: Bool
    /// Why not, or `ok`.
    public var outcome: Outcome
    /// A sentence for the operator.
    public var message: String
    /// For `switch`: the release `current` selected before (`genesis` or the upgrade directory name).
    public var from: String?
    /// For `switch`: the release asked for.
    public var to: String?
    /// The node's pid once it is up.
    public var childPid: Int32?
    /// For `status`.
    public var status: NodeStatus?

    /// Creates an answer; `ok` follows from `outcome`.
    public init(
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

    /// Decodes one answer as the agent writes it (compact JSON, snake_case keys).
    public static func decode(_ data: Data) throws -> ControlReply {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ControlReply.self, from: data)
    }
}
