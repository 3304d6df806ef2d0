import Foundation

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

    private init(target: SSHTarget, session: LibSSH2Session) {
        self.target = target
        self.session = session
    }

    /// Connects, checks the host key and authenticates, all within `target.connectTimeout`.
    static func open(_ target: SSHTarget, cancel: CancelFlag) throws(SSHError) -> SessionContext {
        if case .refused(let error) = target.route { throw error }
        let deadline = OperationDeadline(after: target.connectTimeout, cancel: cancel)
        let verifier = HostKeyVerifier(target)
        let known = try verifier.load(host: target.host)
        let socket: Int32
        switch target.route {
        case .direct:
            socket = try TCPConnector.connect(host: target.host, port: target.port, deadline: deadline)
        case .jump(let hops):
            throw SSHError(
                .unsupportedProxy, host: target.host, operation: "connect",
                message: "ProxyJump through \(hops.map(\.host).joined(separator: ",")) is not supported yet")
        case .refused(let error):
            throw error
        }
        let session = try LibSSH2Session(socket: socket, host: target.host)
        try session.preferHostKeyAlgorithms(
            HostKeyVerifier.preferredAlgorithms(
                host: target.host, port: target.port, alias: target.hostKeyAlias, in: known))
        try session.handshake(deadline)
        try verifier.verify(try session.hostKey(), host: target.host, port: target.port, known: known)
        try session.authenticate(
            user: target.user, agentSocket: target.agentSocket, identityFiles: target.identityFiles,
            passphrase: target.passphrase, deadline: deadline)
        return SessionContext(target: target, session: session)
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
