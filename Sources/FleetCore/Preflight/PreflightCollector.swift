import Foundation
public import Logging

/// Reads every selected node for the preflight, in parallel: one connection and one exec per node
/// (``PreflightProbe``).
public enum PreflightCollector {
    /// One reading per host, in the order given; an unreachable node's reading carries its error.
    ///
    /// - Parameters:
    ///   - hosts: the selected inventory hosts.
    ///   - target: the SSH target of a host.
    ///   - maxConcurrent: hosts read at once.
    ///   - now: the timestamp recorded for statuses that carry none.
    ///   - timeout: the most one host may take (nil: 10 s to connect, 60 s to probe).
    public static func collect(
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        now: String,
        timeout: Duration? = nil,
        logger: Logger = SSHConnection.silentLogger
    ) async -> [PreflightReading] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host in
            let disable = host.vars["cosmovisor_disable_recase"].map { StageRequest.isTrue($0) }
            let failed = { @Sendable (error: String) -> PreflightReading in
                PreflightReading(
                    observation: HostObservation(host: host.name, role: host.role.rawValue, error: error),
                    disableRecase: disable)
            }
            if case .failure(let error) = FleetStatusCollector.probeTarget(for: host) {
                return failed(error.description)
            }
            let reading = await withTimeout(timeout) { () async -> PreflightReading in
                do {
                    let (probe, result) = try await withSSHConnection(target(host), logger: logger) { connection in
                        let probe = try await FleetStatusCollector.probeTarget(for: host, over: connection)
                        let command = PreflightProbe.command(for: probe)
                        return (probe, try await connection.exec(command, timeout: timeout ?? .seconds(60)))
                    }
                    var reading = try PreflightProbe.parse(
                        stdout: result.stdout, exitStatus: result.exitStatus ?? -1, host: host.name,
                        role: host.role.rawValue, target: probe, collectedAt: now)
                    reading.disableRecase = disable
                    return reading
                } catch {
                    return failed(String(describing: error))
                }
            }
            return reading
                ?? failed("\(host.name): no answer within \(GoDuration.format(timeout ?? .zero)) (--timeout)")
        }
        return results.map(\.1)
    }
}
