import Foundation
public import Logging

/// Reads every selected node's state over SSH, in parallel: one exec per node, on a fresh connection or
/// on the node's open session of a ``PersistentSessions`` pool (`fleet status --watch`).
public enum FleetStatusCollector {
    /// Collects an observation per host, in the order given.
    ///
    /// - Parameters:
    ///   - hosts: the selected inventory hosts.
    ///   - target: the SSH target of a host (built by the caller from inventory and client settings).
    ///   - maxConcurrent: hosts read at once.
    ///   - now: the timestamp recorded for statuses that carry none.
    ///   - timeout: the most one host may take, connection included (nil: 10 s to connect, 30 s to probe).
    ///   - logger: receives each host's SSH steps and its total time, at debug level.
    ///   - sessions: when given, each host's probe runs on its open session there (keyed by inventory name)
    ///     instead of a connection of its own; a host without one is reported unreachable at once.
    /// - Returns: one ``HostObservation`` per host; an unreachable node carries its error, never throws.
    public static func collect(
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        now: String,
        timeout: Duration? = nil,
        logger: Logger = SSHConnection.silentLogger,
        sessions: PersistentSessions? = nil
    ) async -> [HostObservation] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host in
            var logger = logger
            logger[metadataKey: "fleet.node"] = "\(host.name)"
            let start = ContinuousClock.now
            let observation =
                await withTimeout(timeout) { [logger] in
                    await observe(
                        host, target: target, now: now, probeTimeout: timeout, logger: logger, sessions: sessions)
                }
                ?? HostObservation(
                    host: host.name, role: host.role.rawValue,
                    error: "\(host.name): no answer within \(GoDuration.format(timeout ?? .zero)) (--timeout)")
            var done: Logger.Metadata = ["fleet.ms": "\(Logger.milliseconds(since: start))"]
            if let error = observation.error { done["fleet.error"] = "\(error)" }
            logger.debug(observation.error == nil ? "host done" : "host failed", metadata: done)
            return observation
        }
        return results.map(\.1)
    }

    /// The probe target of a host, or a sentence saying which variable is missing.
    public static func probeTarget(for host: InventoryHost) -> Result<NodeProbe.Target, ProbeTargetError> {
        guard let home = host.daemonHome else { return .failure(.init(host: host.name, variable: "daemon_home")) }
        guard let name = host.daemonName else { return .failure(.init(host: host.name, variable: "daemon_name")) }
        return .success(.init(daemonHome: home, daemonName: name, nodeRPC: host.nodeRPC, agentPath: host.agentPath))
    }

    /// The probe target of `host` with `~`/`$HOME` in its paths resolved on the node `connection` is open to
    /// (``InventoryHost/resolvingNodePaths(over:)``).
    /// - Throws: ``ProbeTargetError`` or the `SSHError` of reading the node's home.
    public static func probeTarget(
        for host: InventoryHost, over connection: SSHConnection
    ) async throws -> NodeProbe.Target {
        try await probeTarget(for: host.resolvingNodePaths(over: connection)).get()
    }

    /// A host that lacks a variable the status needs.
    public struct ProbeTargetError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The inventory host.
        public var host: String
        /// The missing variable.
        public var variable: String
        public var description: String { "\(variable) is not set for \(host) in the inventory" }
    }

    private static func observe(
        _ host: InventoryHost,
        target: @Sendable (InventoryHost) -> SSHTarget,
        now: String,
        probeTimeout: Duration?,
        logger: Logger,
        sessions: PersistentSessions?
    ) async -> HostObservation {
        let role = host.role.rawValue
        if case .failure(let error) = probeTarget(for: host) {
            return HostObservation(host: host.name, role: role, error: error.description)
        }
        do {
            let probe: NodeProbe.Target
            let result: ExecResult
            if let sessions {
                probe = try await probeTarget(for: sessions.resolvingNodePaths(of: host)).get()
                let command = NodeProbe.command(for: probe)
                result = try await sessions.exec(host.name, command, timeout: probeTimeout ?? .seconds(30))
            } else {
                let read = try await withSSHConnection(target(host), logger: logger) { connection in
                    let probe = try await probeTarget(for: host, over: connection)
                    let command = NodeProbe.command(for: probe)
                    return (probe, try await connection.exec(command, timeout: probeTimeout ?? .seconds(30)))
                }
                probe = read.0
                result = read.1
            }
            let (status, source) = try NodeProbe.parse(
                stdout: result.stdout, exitStatus: result.exitStatus ?? -1, target: probe, collectedAt: now
            )
            return HostObservation(host: host.name, role: role, status: status, source: source)
        } catch {
            return HostObservation(host: host.name, role: role, error: String(describing: error))
        }
    }
}
