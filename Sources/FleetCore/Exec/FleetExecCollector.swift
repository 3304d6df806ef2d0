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
    /// - Returns: one ``HostExecOutcome`` per host, in the order given; never throws.
    public static func run(
        _ command: String,
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        timeout: Duration
    ) async -> [HostExecOutcome] {
        let results = await forEachHost(hosts, maxConcurrent: maxConcurrent) { host -> HostExecOutcome in
            do {
                let result = try await withSSHConnection(target(host)) { connection in
                    try await connection.exec(command, timeout: timeout)
                }
                return HostExecOutcome(host: host.name, result: result)
            } catch {
                return HostExecOutcome(host: host.name, error: String(describing: error))
            }
        }
        return results.map(\.1)
    }
}
