public import Foundation

/// A file-system operation on the node's cosmovisor tree failed.
///
/// Thrown by ``AtomicFile``, ``AtomicSymlink``, ``AgentRuntimeState`` and ``ManualUpgradeSchedule``.
/// Equality compares the ``code`` only.
public struct NodeFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case write, rename, symlink, read, decode, encode
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Writing (creating, writing, syncing) a file failed.
        public static let write = Code(.write)
        /// Renaming the temporary file or link into place failed.
        public static let rename = Code(.rename)
        /// Creating a symbolic link failed.
        public static let symlink = Code(.symlink)
        /// Reading a file failed.
        public static let read = Code(.read)
        /// A file's content could not be decoded.
        public static let decode = Code(.decode)
        /// A value could not be encoded.
        public static let encode = Code(.encode)

        public var description: String { "\(value)" }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The path the operation was about.
    public let path: String
    /// The system call or step that failed (`open`, `fsync`, `rename` …).
    public let operation: String
    /// The `errno` value, when a system call failed.
    public let errno: Int32?
    /// Extra detail (for decoding errors).
    public let detail: String?

    /// Creates an error; prefer the static factories.
    public init(code: Code, path: String, operation: String, errno: Int32? = nil, detail: String? = nil) {
        self.code = code
        self.path = path
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    /// A system call failed with the current `errno`.
    public static func syscall(_ code: Code, _ operation: String, path: String, errno: Int32 = Foundation.errno) -> Self
    {
        NodeFileError(code: code, path: path, operation: operation, errno: errno)
    }

    /// A file's content could not be decoded.
    public static func decode(path: String, detail: String) -> Self {
        NodeFileError(code: .decode, path: path, operation: "decode", detail: detail)
    }

    public var description: String {
        var text = "\(operation) \(path)"
        if let errno { text += ": " + GoText.errno(errno) }
        if let detail { text += ": " + detail }
        return text
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
