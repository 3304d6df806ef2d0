/// An upgrade name was refused by ``UpgradeName``.
///
/// Equality compares the ``code`` only.
public struct UpgradeNameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the name was refused.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable { case empty, dotName, controlCharacter, tooLong }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The name is empty.
        public static let empty = Code(.empty)
        /// The name is `.` or `..`.
        public static let dotName = Code(.dotName)
        /// The name holds NUL or another control character.
        public static let controlCharacter = Code(.controlCharacter)
        /// The escaped name is longer than 255 bytes.
        public static let tooLong = Code(.tooLong)

        public var description: String { "\(value)" }
    }

    /// Why the name was refused.
    public let code: Code
    /// The refused name (control characters shown escaped in ``description``).
    public let name: String
    /// A sentence for the operator.
    public let reason: String

    static let empty = UpgradeNameError(code: .empty, name: "", reason: "name cannot be empty")

    static func dotName(_ name: String) -> Self {
        UpgradeNameError(code: .dotName, name: name, reason: "name must not be \".\" or \"..\"")
    }

    static func controlCharacter(_ name: String) -> Self {
        UpgradeNameError(code: .controlCharacter, name: name, reason: "name must not contain control characters")
    }

    static func tooLong(_ name: String, bytes: Int) -> Self {
        UpgradeNameError(
            code: .tooLong,
            name: name,
            reason: "name is \(bytes) bytes once escaped, more than \(UpgradeName.maximumDirectoryLength)"
        )
    }

    public var description: String {
        code == .empty ? "invalid upgrade name: \(reason)" : "invalid upgrade name \(name.debugDescription): \(reason)"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
