/// A problem with a `fleet stage` request found before any node is contacted, or a host the inventory
/// cannot place.
///
/// Equality compares the ``code`` only.
public struct StageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case invalidName, invalidChecksum, localFile, missingVariable
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The upgrade name cannot name a directory (empty, `.`, `..`, `/`, control characters, too long).
        public static let invalidName = Code(.invalidName)
        /// `--sha256` is not 64 hex digits, or does not match the file.
        public static let invalidChecksum = Code(.invalidChecksum)
        /// The local file cannot be read.
        public static let localFile = Code(.localFile)
        /// A host lacks `daemon_home` or `daemon_name`.
        public static let missingVariable = Code(.missingVariable)

        public var description: String { value.rawValue }
    }

    /// What is wrong.
    public let code: Code
    /// A sentence for the operator (may quote untrusted text: escape it before printing).
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func missingVariable(_ variable: String, host: String) -> StageError {
        StageError(.missingVariable, "\(variable) is not set for \(host) in the inventory")
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
