/// Everything that can go wrong while talking to one host over SSH.
///
/// Each error names the host, the operation that failed, the libssh2 return code when there is one,
/// and a sentence telling the person at the terminal what to do about it. Two errors are equal when
/// their codes are equal.
///
/// ```swift
/// do { try await connection.exec("true") } catch where error.code == .timedOut { ... }
/// ```
public struct SSHError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; extensible, compare with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case resolve, connect, banner, handshake, hostKeyUnknown, hostKeyMismatch, hostKeyRevoked
            case knownHostsFile, authentication, rsaUnsupported, keyFile, timedOut, cancelled
            case connectionLost, channel, sftp, notFound, remoteCommand, localFile, invalidArgument
            case unsupportedProxy
        }
        private let kind: Kind

        /// The host name could not be resolved.
        public static let resolve = Code(kind: .resolve)
        /// The TCP connection could not be established.
        public static let connect = Code(kind: .connect)
        /// The SSH banner exchange failed (often sshd's `MaxStartups` dropping us); worth retrying.
        public static let banner = Code(kind: .banner)
        /// Key exchange or another part of the handshake failed.
        public static let handshake = Code(kind: .handshake)
        /// The host is not in known_hosts and accept-new is off.
        public static let hostKeyUnknown = Code(kind: .hostKeyUnknown)
        /// The host presented a key different from the one in known_hosts.
        public static let hostKeyMismatch = Code(kind: .hostKeyMismatch)
        /// The host presented a key marked `@revoked` in known_hosts.
        public static let hostKeyRevoked = Code(kind: .hostKeyRevoked)
        /// known_hosts could not be read or appended to.
        public static let knownHostsFile = Code(kind: .knownHostsFile)
        /// No agent identity and no key file was accepted.
        public static let authentication = Code(kind: .authentication)
        /// Only RSA keys were offered, which libssh2 1.10 cannot use against OpenSSH ≥ 8.8.
        public static let rsaUnsupported = Code(kind: .rsaUnsupported)
        /// A private key file is unreadable, encrypted without a passphrase, or the passphrase is wrong.
        public static let keyFile = Code(kind: .keyFile)
        /// An operation did not finish before its deadline; the connection is unusable afterwards.
        public static let timedOut = Code(kind: .timedOut)
        /// The calling task was cancelled; the connection is unusable afterwards.
        public static let cancelled = Code(kind: .cancelled)
        /// The connection broke or was closed earlier.
        public static let connectionLost = Code(kind: .connectionLost)
        /// A channel (exec) operation failed.
        public static let channel = Code(kind: .channel)
        /// An SFTP operation failed.
        public static let sftp = Code(kind: .sftp)
        /// The remote path does not exist.
        public static let notFound = Code(kind: .notFound)
        /// A helper command we ran remotely (`mv -f`, `sha256sum`) failed.
        public static let remoteCommand = Code(kind: .remoteCommand)
        /// A local file could not be read.
        public static let localFile = Code(kind: .localFile)
        /// An argument cannot be used (for example a NUL byte in a command).
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// The host is set to go through `ProxyCommand` (refused, never run) or an unusable `ProxyJump`.
        public static let unsupportedProxy = Code(kind: .unsupportedProxy)

        /// The code's name, such as `hostKeyMismatch`.
        public var description: String { kind.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The host (as given in the target) the failure happened on.
    public let host: String
    /// What we were doing: `connect`, `handshake`, `exec`, `upload /path`, …
    public let operation: String
    /// The libssh2 return code, when libssh2 reported the failure.
    public let libssh2Code: Int32?
    /// What happened, in words (libssh2's own message when it gave one).
    public let message: String
    /// What the person at the terminal can do about it.
    public let hint: String

    /// Creates an error; `hint` is the sentence telling the person what to do.
    public init(
        _ code: Code,
        host: String,
        operation: String,
        message: String,
        hint: String = "",
        libssh2Code: Int32? = nil
    ) {
        self.code = code
        self.host = host
        self.operation = operation
        self.libssh2Code = libssh2Code
        self.message = message
        self.hint = hint
    }

    /// `host: operation failed: message (libssh2 error N). hint`
    public var description: String {
        var text = "\(host): \(operation) failed: \(message)"
        if let libssh2Code { text += " (libssh2 error \(libssh2Code))" }
        if !hint.isEmpty { text += ". \(hint)" }
        return text
    }

    /// Errors are equal when their codes are.
    public static func == (lhs: SSHError, rhs: SSHError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only, matching `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Whether retrying the connection soon may succeed (banner errors from `MaxStartups`).
    public var isTransientConnectFailure: Bool { code == .banner }

    /// The same error for a different operation label (used when a helper fails inside a bigger step).
    func with(operation: String) -> SSHError {
        SSHError(code, host: host, operation: operation, message: message, hint: hint, libssh2Code: libssh2Code)
    }
}
