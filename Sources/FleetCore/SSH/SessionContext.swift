import Foundation
import Logging

/// The state of one open session, confined to its `SessionWorker` thread.
///
/// Holds the libssh2 session and, once needed, its SFTP subsystem. Every method here runs
/// blocking libssh2 work and must only be called from the worker thread.
final class SessionContext {
    /// What we connected to.
    let target: SSHTarget
    /// The libssh2 session.
    let session: LibSSH2Session
    private var sftpSubsystem: LibSSH2SFTP?
    /// The login user's home directory on the node, once read (`SessionContext+Home`).
    var nodeHome: String?

    private init(target: SSHTarget, session: LibSSH2Session) {
        self.target = target
        self.session = session
    }

    /// Connects, checks the host key and authenticates, all within `target.connectTimeout`.
    static func open(_ target: SSHTarget, cancel: CancelFlag, logger: Logger) throws(SSHError) -> SessionContext {
        SessionContext(target: target, session: try openSession(target, cancel: cancel, logger: logger))
    }

    /// Opens an authenticated session to `target` along its route, reporting each step to `logger`.
    ///
    /// Direct: TCP connect, handshake, host-key check and authentication within `connectTimeout`.
    /// Through bastions: a tunnel from the shared ``BastionPool`` connection (waiting at most
    /// `operationTimeout` for a free channel and `connectTimeout` for the bastion to open it), then
    /// the same steps within a fresh `connectTimeout`. A refused route throws its error at once.
    static func openSession(
        _ target: SSHTarget, cancel: CancelFlag?, logger: Logger?
    ) throws(SSHError)
        -> LibSSH2Session
    {
        if case .refused(let error) = target.route { throw error }
        let verifier = HostKeyVerifier(target)
        let known = try verifier.load(host: target.host)
        var deadline = OperationDeadline(after: target.connectTimeout, cancel: cancel)
        var start = ContinuousClock.now
        let socket: Int32
        switch target.route {
        case .direct, .refused:
            socket = try TCPConnector.connect(host: target.host, port: target.port, deadline: deadline)
            logger?.sshStep(.connect, since: start)
        case .jump(let hops):
            socket = try BastionPool.shared.openTunnel(
                through: hops, to: target.host, port: target.port, longLived: target.persistent,
                queueTimeout: target.operationTimeout, openTimeout: target.connectTimeout, cancel: cancel)
            logger?.sshStep(.tunnel, since: start, hops.map { "\($0.host):\($0.port)" }.joined(separator: ","))
            deadline = OperationDeadline(after: target.connectTimeout, cancel: cancel)
        }
        let session = try LibSSH2Session(socket: socket, host: target.host)
        try session.preferHostKeyAlgorithms(
            HostKeyVerifier.preferredAlgorithms(
                host: target.host, port: target.port, alias: target.hostKeyAlias, in: known))
        start = .now
        try session.handshake(deadline)
        logger?.sshStep(.handshake, since: start, session.negotiatedTransport)
        start = .now
        try verifier.verify(try session.hostKey(), host: target.host, port: target.port, known: known)
        logger?.sshStep(.hostKey, since: start)
        start = .now
        try session.authenticate(
            user: target.user, agentSocket: target.agentSocket, identityFiles: target.identityFiles,
            passphrase: target.passphrase, deadline: deadline)
        logger?.sshStep(.authentication, since: start, target.user)
        return session
    }

    /// A deadline of `timeout` (or the target's operation timeout) from now.
    func deadline(_ timeout: Duration?, cancel: CancelFlag) -> OperationDeadline {
        OperationDeadline(after: timeout ?? target.operationTimeout, cancel: cancel)
    }

    /// The SFTP subsystem, started on first use.
    func sftp(_ deadline: OperationDeadline) throws(SSHError) -> LibSSH2SFTP {
        if let sftpSubsystem { return sftpSubsystem }
        let started = try LibSSH2SFTP(session: session, deadline: deadline)
        sftpSubsystem = started
        return started
    }

    /// Runs one command on a fresh channel, keeping at most `outputLimit` bytes of each stream.
    func exec(
        _ command: String, stdin: Data?, outputLimit: Int = ExecResult.defaultOutputLimit, deadline: OperationDeadline
    ) throws(SSHError) -> ExecResult {
        guard !command.utf8.contains(0) else {
            throw SSHError(
                .invalidArgument, host: target.host, operation: "exec",
                message: "the command contains a NUL byte, which SSH cannot carry")
        }
        let channel = try LibSSH2Channel(session: session, deadline: deadline)
        return try channel.exec(command, stdin: stdin, outputLimit: outputLimit, deadline: deadline)
    }

    /// Runs `argv` quoted and throws `.remoteCommand` unless it exits 0.
    func run(_ argv: [String], operation: String, deadline: OperationDeadline) throws(SSHError) -> ExecResult {
        let result = try exec(ShellQuote.command(argv), stdin: nil, deadline: deadline)
        guard result.succeeded else {
            let why = result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHError(
                .remoteCommand, host: target.host, operation: operation,
                message: "`\(argv.joined(separator: " "))` failed"
                    + (result.exitSignal.map { " (signal \($0))" } ?? " (exit \(result.exitStatus ?? -1))")
                    + (why.isEmpty ? "" : ": \(why)"))
        }
        return result
    }

    /// Closes the SFTP subsystem and says goodbye to the server.
    func shutdown(_ deadline: OperationDeadline) {
        sftpSubsystem = nil
        session.disconnect(deadline)
    }
}

@available(*, unavailable)
extension SessionContext: Sendable {}
