public import Logging

/// Runs one command on every selected node over SSH, in parallel, beside ``FleetStatusCollector``:
/// one connection and one exec per node, at most `maxConcurrent` at once.
public enum FleetExecCollector {
    /// Runs `command` (a shell command line, sent as is) on each host.
    ///
    /// - Parameters:
    ///   - command: the remote command line; quote values with ``ShellQuote``.
    ///   - hosts: the selected inventory hosts.
    ///   - target: the SSH target of a host (built by the caller from inventory and client settings).
    ///   - maxConcurrent: hosts worked on at once.
    ///   - timeout: how long the command may run on one host.
    ///   - hostTimeout: the most one host may take, connection included (nil: connect, then `timeout`).
    ///   - logger: receives each host's SSH steps and its total time, at debug level.
    /// - Returns: one ``HostExecOutcome`` per host, in the order given; never throws.
    public static func run(
        _ command: String,
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        timeout: Duration,
        hostTimeout: Duration? = nil,
        logger: Logger = SSHConnection.silentLogger
    ) async -> [HostExecOutcome] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host -> HostExecOutcome in
            var logger = logger
            logger[metadataKey: "fleet.node"] = "\(host.name)"
            let start = ContinuousClock.now
            let outcome =
                await withTimeout(hostTimeout) { [logger] () -> HostExecOutcome in
                    do {
                        let result = try await withSSHConnection(target(host), logger: logger) { connection in
                            try await connection.exec(command, timeout: timeout)
                        }
                        return HostExecOutcome(host: host.name, result: result)
                    } catch {
                        return HostExecOutcome(host: host.name, error: String(describing: error))
                    }
                }
                ?? HostExecOutcome(
                    host: host.name,
                    error: "\(host.name): no answer within \(GoDuration.format(hostTimeout ?? .zero)) (--timeout)")
            var done: Logger.Metadata = ["fleet.ms": "\(Logger.milliseconds(since: start))"]
            if let error = outcome.error { done["fleet.error"] = "\(error)" }
            logger.debug(outcome.error == nil ? "host done" : "host failed", metadata: done)
            return outcome
        }
        return results.map(\.1)
    }
}
