/// ``ExecutableFile/ensure(_:)`` refused a path. Equality compares the ``code`` only.
public struct ExecutableFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why.
    public struct Code: Sendable, Hashable {
        private enum Value: Sendable, Hashable { case missing, notRegular, chmod }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The path cannot be stat'ed.
        public static let missing = Code(.missing)
        /// The path is a directory or another non-regular file.
        public static let notRegular = Code(.notRegular)
        /// Adding the execute bits failed.
        public static let chmod = Code(.chmod)
    }

    /// Why.
    public let code: Code
    /// x/upgrade's message.
    public let message: String

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
