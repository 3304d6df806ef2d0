import Foundation

/// Stages one file on many hosts: the I/O shell around ``StageHostMachine``.
///
/// Each host gets its own connection and machine, at most `maxConcurrent` at once (``forEachHost``); one
/// host's failure never touches another. The machine decides; this type only connects, runs the
/// ``StageRemoteScript`` commands, uploads with ``SSHConnection/upload(localPath:remotePath:mode:fsync:expectedSHA256:timeout:progress:)``
/// (temp name, fsync, 0755, sha256 checked on the node, rename) and reports progress.
///
/// Cancelling the calling task (Ctrl-C) stops every host: an upload or download in flight never renames
/// into place, and its temp file is removed by the next run.
public enum StageRunner {
    /// Stages `request` on every host.
    ///
    /// - Parameters:
    ///   - request: what to stage.
    ///   - hosts: the selected inventory hosts.
    ///   - target: the SSH target of a host.
    ///   - maxConcurrent: hosts worked on at once.
    ///   - maximumConnectAttempts: connection attempts per host (transient failures are retried).
    ///   - progress: called on every phase change and about every MiB uploaded, from any thread.
    /// - Returns: one report per host, in the order of `hosts`.
    public static func run(
        _ request: StageRequest,
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        maximumConnectAttempts: Int = 4,
        progress: @escaping @Sendable (StageProgressEvent) -> Void = { _ in }
    ) async -> [StageHostReport] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host in
            let start = ContinuousClock.now
            var report = await stage(
                request, on: host, target: target(host), maximumConnectAttempts: maximumConnectAttempts,
                progress: progress)
            let elapsed = start.duration(to: .now).components
            report.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            progress(StageProgressEvent(host: host.name, phase: .done(report.result), totalBytes: request.bytes))
            return report
        }
        return results.map(\.1)
    }

    /// Stages `request` on one host over a connection the caller opened (and keeps open afterwards), with
    /// the same inspection, skip, refusal, upload and re-check as ``run(_:hosts:target:maxConcurrent:maximumConnectAttempts:progress:)``.
    public static func stage(
        _ request: StageRequest,
        on host: InventoryHost,
        over connection: SSHConnection,
        progress: @escaping @Sendable (StageProgressEvent) -> Void = { _ in }
    ) async -> StageHostReport {
        await stage(
            request, on: host, target: connection.target, maximumConnectAttempts: 1, progress: progress,
            existing: connection)
    }

    private static func stage(
        _ request: StageRequest,
        on host: InventoryHost,
        target: SSHTarget,
        maximumConnectAttempts: Int,
        progress: @escaping @Sendable (StageProgressEvent) -> Void,
        existing: SSHConnection? = nil
    ) async -> StageHostReport {
        var path: String
        switch request.targetPath(for: host) {
        case .success(let value): path = value
        case .failure(let error): return StageHostReport(host: host.name, result: .failed, error: error.message)
        }
        var report = StageHostReport(host: host.name, result: .failed, path: path)
        var machine = StageHostMachine(
            wanted: request.sha256, force: request.force, maximumConnectAttempts: maximumConnectAttempts,
            bytes: request.bytes)
        var connection: SSHConnection?
        var action = machine.handle(.start)
        let name = host.name
        let total = request.bytes
        func announce() { progress(StageProgressEvent(host: name, phase: machine.phase, totalBytes: total)) }
        announce()
        while true {
            let event: StageHostMachine.Event
            switch action {
            case .connect where existing != nil:
                connection = existing
                event = .connected
            case .connect:
                do throws(SSHError) {
                    connection = try await SSHConnection.connect(target)
                    event = .connected
                } catch {
                    event = .connectFailed(
                        reason: error.description, transient: isTransient(error), jitter: Double.random(in: 0...1))
                }
            case .wait(let delay):
                do {
                    try await Task.sleep(for: delay)
                    event = .backoffElapsed
                } catch {
                    event = .failed(reason: "cancelled")
                }
            case .inspect:
                if host.needsNodeHome, let connection {  // `~`/`$HOME` in daemon_home: the node's home, read once.
                    do {
                        path = try await request.targetPath(for: host.resolvingNodePaths(over: connection)).get()
                    } catch {
                        event = .failed(reason: String(describing: error))
                        break
                    }
                    report.path = path
                }
                event = await run(connection, StageRemoteScript.inspect(target: path)) { result in
                    StageRemoteScript.parseInspection(
                        stdout: result.stdout, exitStatus: result.exitStatus, stderr: result.stderr
                    ).map {
                        report.removedTemporaries = $0.removedTemporaries
                        return .inspected($0)
                    }
                }
            case .transfer(let replacing):
                event = await transfer(
                    request, to: path, replacing: replacing, over: connection, report: &report,
                    progress: {
                        progress(StageProgressEvent(host: name, phase: .transferring, bytesSent: $0, totalBytes: total))
                    })
            case .recheck(let verifiedIdentity):
                event = await run(
                    connection,
                    StageRemoteScript.recheck(target: path, verified: verifiedIdentity, sha256: request.sha256)
                ) { result in
                    StageRemoteScript.parseRecheck(
                        stdout: result.stdout, exitStatus: result.exitStatus, stderr: result.stderr
                    )
                    .map { .rechecked($0) }
                }
            case .finish(let result, let sha256, let reason):
                if existing == nil { await connection?.close() }
                report.result = result
                report.sha256 = sha256
                report.error = reason
                return report
            }
            action = machine.handle(event)
            announce()
        }
    }

    /// Runs `command` and turns its result into an event with `parse`; SSH failures become `.failed`.
    private static func run(
        _ connection: SSHConnection?,
        _ command: String,
        parse: (ExecResult) -> Result<StageHostMachine.Event, StageFailure>
    ) async -> StageHostMachine.Event {
        guard let connection else { return .failed(reason: "not connected") }
        do throws(SSHError) {
            switch parse(try await connection.exec(command, outputLimit: 1 << 16)) {
            case .success(let event): return event
            case .failure(let failure): return .failed(reason: failure.reason)
            }
        } catch {
            return .failed(reason: error.description)
        }
    }

    private static func transfer(
        _ request: StageRequest,
        to path: String,
        replacing: Bool,
        over connection: SSHConnection?,
        report: inout StageHostReport,
        progress: @escaping @Sendable (Int64) -> Void
    ) async -> StageHostMachine.Event {
        guard let connection else { return .failed(reason: "not connected") }
        switch request.source {
        case .file(let local):
            do throws(SSHError) {
                if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
                    try await connection.mkdirP(String(path[..<slash]))
                }
                let inode = try await connection.upload(
                    localPath: local, remotePath: path, mode: 0o755, fsync: true, expectedSHA256: request.sha256,
                    progress: { progress($0.bytesSent) })
                report.bytes = request.bytes ?? 0
                guard let inode else { return .failed(reason: "the node did not report the uploaded file's inode") }
                return .transferred(.init(inode: inode, size: request.bytes ?? 0))
            } catch {
                return .failed(reason: error.description)
            }
        case .url(let url, let maximumBytes):
            let script = StageRemoteScript.pull(
                url: url, sha256: request.sha256, maximumBytes: maximumBytes, target: path, replacing: replacing)
            do throws(SSHError) {
                // A download has no deadline of its own beyond the target's timeout: allow an hour.
                let result = try await connection.exec(script, timeout: .seconds(3600), outputLimit: 1 << 16)
                switch StageRemoteScript.parsePull(
                    stdout: result.stdout, exitStatus: result.exitStatus, stderr: result.stderr, url: url,
                    sha256: request.sha256)
                {
                case .success(let identity):
                    report.bytes = identity.size
                    return .transferred(identity)
                case .failure(let failure):
                    return .failed(reason: failure.reason)
                }
            } catch {
                return .failed(reason: error.description)
            }
        }
    }

    /// Connection failures worth another attempt: refused, reset or timed out before the session was up.
    static func isTransient(_ error: SSHError) -> Bool {
        [.connect, .banner, .handshake, .timedOut, .connectionLost].contains(error.code)
    }
}
