public import Foundation
public import Logging

/// One authenticated SSH connection to a host, with exec and SFTP, safe to use from any task.
///
/// Each connection owns a dedicated thread that runs every libssh2 call for its session, so
/// blocking C calls never occupy Swift's cooperative pool. Calls from several tasks are queued
/// and run one after another. Every operation has a deadline (`timeout:` or the target's
/// `operationTimeout`); after a timeout, a cancellation or a dropped connection the connection is
/// unusable and later calls throw `.connectionLost`.
///
/// ```swift
/// try await withSSHConnection(target) { connection in
///     let result = try await connection.exec(ShellQuote.command(["ls", "-l", home]))
///     try await connection.upload(localPath: binary, remotePath: home + "/bin/app", mode: 0o755)
/// }
/// ```
public final class SSHConnection: Sendable {
    /// What this connection was opened to.
    public let target: SSHTarget
    private let worker: SessionWorker
    private let logger: Logger

    private init(target: SSHTarget, worker: SessionWorker, logger: Logger) {
        self.target = target
        self.worker = worker
        self.logger = logger
    }

    deinit { worker.stop() }

    /// Connects, verifies the host key and authenticates, within `target.connectTimeout` per attempt.
    ///
    /// Banner failures (sshd dropping new connections past `MaxStartups`) are retried up to
    /// `target.bannerRetries` times with ``Backoff`` delays.
    /// - Throws: `SSHError` naming the step that failed and what to do about it.
    public static func connect(
        _ target: SSHTarget, logger: Logger = SSHConnection.silentLogger
    ) async throws(SSHError) -> SSHConnection {
        var logger = logger
        logger[metadataKey: "fleet.host"] = "\(target.host):\(target.port)"
        let worker = SessionWorker(name: target.host)
        let sessionLogger = logger
        var attempt = 0
        while true {
            do throws(SSHError) {
                try await worker.run { context, cancel throws(SSHError) in
                    context = nil
                    context = try SessionContext.open(target, cancel: cancel, logger: sessionLogger)
                }
                logger.debug(
                    "ssh connected",
                    metadata: [
                        "fleet.ssh.attempts": "\(attempt + 1)",
                        "fleet.ssh.via":
                            "\(target.route.jumpHosts.map { "\($0.host):\($0.port)" }.joined(separator: ","))",
                    ])
                return SSHConnection(target: target, worker: worker, logger: logger)
            } catch  where error.isTransientConnectFailure && attempt < target.bannerRetries {
                attempt += 1
                let delay = Backoff.delay(attempt: attempt, jitter: Double.random(in: 0...1))
                logger.debug("ssh banner failure, retrying", metadata: ["fleet.ssh.delay": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch {
                    worker.stop()
                    throw SSHError(
                        .cancelled, host: target.host, operation: "connect", message: "the task was cancelled")
                }
            } catch {
                worker.stop()
                throw error
            }
        }
    }

    /// A logger that drops everything, the default when the caller passes none.
    public static var silentLogger: Logger { Logger(label: "fleet.ssh", factory: { _ in SwiftLogNoOpLogHandler() }) }

    /// Runs `body` with the open session on the connection's thread.
    private func withContext<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (SessionContext, CancelFlag) throws(SSHError) -> T
    ) async throws(SSHError) -> T {
        let host = target.host
        let start = ContinuousClock.now
        defer {
            logger.sshStep(operation == "exec" ? .exec : .sftp, since: start, operation == "exec" ? nil : operation)
        }
        return try await worker.run { context, cancel throws(SSHError) in
            guard let context else {
                throw SSHError(.connectionLost, host: host, operation: operation, message: "the connection is closed")
            }
            return try body(context, cancel)
        }
    }

    // MARK: - Exec

    /// Runs `command` through the login shell and collects stdout, stderr and the exit status.
    ///
    /// stdout and stderr are read interleaved, so the command never blocks on either; each keeps at
    /// most `outputLimit` bytes (the rest is read and dropped, and the result is marked truncated).
    /// Build `command` with ``ShellQuote`` whenever it contains values.
    /// - Parameters:
    ///   - command: a shell command line.
    ///   - stdin: bytes fed to the command's stdin, which is then closed; nil closes it at once.
    ///   - timeout: the deadline for the whole command; default `target.operationTimeout`.
    ///   - outputLimit: the bytes kept per stream; default ``ExecResult/defaultOutputLimit``.
    /// - Returns: the output and how the command ended; a non-zero exit is a result, not an error.
    public func exec(
        _ command: String,
        stdin: Data? = nil,
        timeout: Duration? = nil,
        outputLimit: Int = ExecResult.defaultOutputLimit
    ) async throws(SSHError) -> ExecResult {
        try await withContext("exec") { context, cancel throws(SSHError) in
            try context.exec(
                command, stdin: stdin, outputLimit: outputLimit, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// Runs `argv` with every word quoted by ``ShellQuote``.
    public func exec(
        arguments argv: [String],
        stdin: Data? = nil,
        timeout: Duration? = nil,
        outputLimit: Int = ExecResult.defaultOutputLimit
    ) async throws(SSHError) -> ExecResult {
        try await exec(ShellQuote.command(argv), stdin: stdin, timeout: timeout, outputLimit: outputLimit)
    }

    /// The login user's home directory on the node (absolute), read on first use and kept for the
    /// connection's life; ``InventoryHost/resolvingNodePaths(over:)`` resolves `~` and `$HOME` with it.
    public func homeDirectory(timeout: Duration? = nil) async throws(SSHError) -> String {
        try await withContext("exec") { context, cancel throws(SSHError) in
            try context.homeDirectory(deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    // MARK: - SFTP

    /// Uploads a local file so that `remotePath` only ever shows the complete file (temp name, then rename).
    ///
    /// See `SessionContext.upload` for the steps; an existing file at `remotePath` is replaced
    /// atomically with `mv -f` over exec because SFTP v3 rename cannot replace.
    /// - Parameters:
    ///   - localPath: the file to send.
    ///   - remotePath: where it must appear; its directory must exist (see ``mkdirP(_:mode:)``).
    ///   - mode: the exact permission bits, such as `0o755`.
    ///   - fsync: flush the file to disk on the host before it becomes visible.
    ///   - expectedSHA256: when set, the host's `sha256sum` of the temp file must equal it before the rename.
    ///   - timeout: the longest the transfer may go without progress; default `target.operationTimeout`.
    ///   - progress: called on the connection's thread about every MiB and at the end; keep it cheap.
    /// - Returns: with `expectedSHA256`, the inode of the verified file (now at `remotePath`), when known.
    @discardableResult
    public func upload(
        localPath: String,
        remotePath: String,
        mode: UInt32 = 0o644,
        fsync: Bool = false,
        expectedSHA256: String? = nil,
        timeout: Duration? = nil,
        progress: (@Sendable (UploadProgress) -> Void)? = nil
    ) async throws(SSHError) -> UInt64? {
        try await withContext("upload \(remotePath)") { context, cancel throws(SSHError) in
            try context.upload(
                .file(localPath), to: remotePath, mode: mode, fsync: fsync, expectedSHA256: expectedSHA256,
                progress: progress, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// Writes a small file; with `atomically` (the default) through a temp name and rename like ``upload(localPath:remotePath:mode:fsync:expectedSHA256:timeout:progress:)``.
    public func writeFile(
        _ data: Data,
        to remotePath: String,
        mode: UInt32 = 0o644,
        atomically: Bool = true,
        timeout: Duration? = nil
    ) async throws(SSHError) {
        try await withContext("write \(remotePath)") { context, cancel throws(SSHError) in
            let deadline = context.deadline(timeout, cancel: cancel)
            if atomically {
                _ = try context.upload(
                    .data(data), to: remotePath, mode: mode, fsync: true, expectedSHA256: nil, progress: nil,
                    deadline: deadline)
            } else {
                try context.writeFileInPlace(data, to: remotePath, mode: mode, deadline: deadline)
            }
        }
    }

    /// Reads a small remote file whole.
    /// - Throws: `.notFound` when it does not exist; `.invalidArgument` when it exceeds `maxBytes`.
    public func readFile(
        _ remotePath: String, maxBytes: Int = 16 << 20, timeout: Duration? = nil
    ) async throws(SSHError) -> Data {
        try await withContext("read \(remotePath)") { context, cancel throws(SSHError) in
            try context.readFile(remotePath, maxBytes: maxBytes, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// The attributes of `path`, following symbolic links. Throws `.notFound` when missing.
    public func stat(_ path: String, timeout: Duration? = nil) async throws(SSHError) -> SFTPFileAttributes {
        try await withContext("stat \(path)") { context, cancel throws(SSHError) in
            try context.sftp(context.deadline(timeout, cancel: cancel))
                .stat(path, followLinks: true, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// The attributes of `path` itself (a link reports `.symlink`). Throws `.notFound` when missing.
    public func lstat(_ path: String, timeout: Duration? = nil) async throws(SSHError) -> SFTPFileAttributes {
        try await withContext("lstat \(path)") { context, cancel throws(SSHError) in
            try context.sftp(context.deadline(timeout, cancel: cancel))
                .stat(path, followLinks: false, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// The target of the symbolic link at `path`, exactly as stored (relative stays relative).
    public func readlink(_ path: String, timeout: Duration? = nil) async throws(SSHError) -> String {
        try await withContext("readlink \(path)") { context, cancel throws(SSHError) in
            try context.sftp(context.deadline(timeout, cancel: cancel))
                .readlink(path, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// Creates a directory and its missing parents; an existing directory is not an error.
    public func mkdirP(_ path: String, mode: UInt32 = 0o755, timeout: Duration? = nil) async throws(SSHError) {
        try await withContext("mkdir \(path)") { context, cancel throws(SSHError) in
            try context.mkdirP(path, mode: mode, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    /// Removes a file (not a directory). Throws `.notFound` when missing.
    public func remove(_ path: String, timeout: Duration? = nil) async throws(SSHError) {
        try await withContext("remove \(path)") { context, cancel throws(SSHError) in
            try context.sftp(context.deadline(timeout, cancel: cancel))
                .unlink(path, deadline: context.deadline(timeout, cancel: cancel))
        }
    }

    // MARK: - Closing

    /// Disconnects politely and stops the connection's thread; later calls throw `.connectionLost`.
    public func close() async {
        _ = try? await worker.run { context, cancel throws(SSHError) in
            context?.shutdown(OperationDeadline(after: .seconds(2), cancel: cancel))
            context = nil
        }
    }
}

/// Opens a connection to `target`, runs `body` with it, and always closes it.
///
/// - Throws: what `connect` or `body` throws.
public func withSSHConnection<T: Sendable>(
    _ target: SSHTarget,
    logger: Logger = SSHConnection.silentLogger,
    _ body: (SSHConnection) async throws -> T
) async throws -> T {
    let connection = try await SSHConnection.connect(target, logger: logger)
    do {
        let value = try await body(connection)
        await connection.close()
        return value
    } catch {
        await connection.close()
        throw error
    }
}
