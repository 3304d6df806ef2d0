/// `upgrade-info.json` could not be read, decoded or validated.
///
/// ``description`` is cosmovisor's message for the same failure (spec §2.1, §5.4). Equality compares the
/// ``code`` only.
public struct UpgradePlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which step failed.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable { case unreadable, empty, malformed, invalid }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The file could not be read (missing, permission).
        public static let unreadable = Code(.unreadable)
        /// The file is empty (x/upgrade may be half-way through writing it).
        public static let empty = Code(.empty)
        /// The bytes are not a plan object (syntax error, truncated file, wrong field type).
        public static let malformed = Code(.malformed)
        /// The plan decoded but failed validation.
        public static let invalid = Code(.invalid)

        public var description: String { "\(value)" }
    }

    /// Which step failed.
    public let code: Code
    /// The message, worded as cosmovisor's.
    public let message: String

    static func unreadable(_ message: String) -> Self { UpgradePlanError(code: .unreadable, message: message) }
    static func empty(_ message: String) -> Self { UpgradePlanError(code: .empty, message: message) }
    static func malformed(_ message: String) -> Self { UpgradePlanError(code: .malformed, message: message) }
    static func invalid(_ message: String) -> Self { UpgradePlanError(code: .invalid, message: message) }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
