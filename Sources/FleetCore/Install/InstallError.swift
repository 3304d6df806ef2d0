/// A problem with a `fleet install-agent` request or a host's inventory variables, found before the host
/// is changed.
///
/// Equality compares the ``code`` only.
public struct InstallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Hashable {
        /// A host lacks `daemon_home` or `daemon_name`.
        case missingVariable
        /// `agent_path`, `daemon_home`, `agent_service` or `agent_env` cannot be used.
        case invalidVariable
        /// A local binary cannot be read.
        case localFile
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

    static func missingVariable(_ variable: String, host: String) -> InstallError {
        InstallError(.missingVariable, "\(variable) is not set for \(host) in the inventory")
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
