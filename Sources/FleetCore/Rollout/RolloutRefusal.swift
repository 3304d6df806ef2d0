/// Why a rollout (or rollback) is not started: found before any node is touched.
public struct RolloutRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem; decides the exit code.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// A safety check: taking a validator down would stop the chain, a consensus key runs twice, a
        /// migration was executed. Exit 3.
        case safety
        /// Something to fix first (release not staged, node unreachable, no agent). Exit 1.
        case notReady = "not-ready"
        /// A bad option (an unknown canary). Exit 2.
        case usage
    }

    /// What kind of problem.
    public var kind: Kind
    /// The sentence for the operator, with the numbers.
    public var message: String
    /// The hosts concerned.
    public var hosts: [String]

    /// Creates a refusal.
    public init(_ kind: Kind, _ message: String, hosts: [String] = []) {
        self.kind = kind
        self.message = message
        self.hosts = hosts
    }

    public var description: String { message }

    /// The process exit code: 3 safety, 1 not ready, 2 usage.
    public var exitCode: Int32 {
        switch kind {
        case .safety: 3
        case .notReady: 1
        case .usage: 2
        }
    }
}
