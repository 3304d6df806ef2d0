/// Runs `body` for every host with at most `maxConcurrent` running at once, and returns one result per host.
///
/// Results come back in the order of `hosts`. A host whose body fails (return a `Result` or an
/// outcome enum from `body`) never cancels the others: the body cannot throw. Starts
/// `maxConcurrent` child tasks, then one more each time one finishes, so memory and connections
/// stay bounded for any fleet size. Cancelling the caller cancels the children; each body decides
/// how to report that.
///
/// ```swift
/// let results = await forEachHost(targets, maxConcurrent: 16) { target -> Result<String, any Error> in
///     do {
///         return .success(try await withSSHConnection(target) { try await $0.exec("uptime").output })
///     } catch {
///         return .failure(error)
///     }
/// }
/// ```
///
/// - Parameters:
///   - hosts: the hosts (any `Sendable` value: names, targets, inventory entries).
///   - maxConcurrent: the bound on parallel bodies; values below 1 count as 1.
///   - body: the work for one host.
/// - Returns: `(host, result)` pairs in the order of `hosts`.
public func forEachHost<Host: Sendable, Outcome: Sendable>(
    _ hosts: [Host],
    maxConcurrent: Int,
    _ body: @escaping @Sendable (Host) async -> Outcome
) async -> [(Host, Outcome)] {
    await withTaskGroup(of: (Int, Outcome).self) { group in
        var results = [Outcome?](repeating: nil, count: hosts.count)
        var next = 0
        for _ in 0..<min(max(maxConcurrent, 1), hosts.count) {
            let index = next
            group.addTask { (index, await body(hosts[index])) }
            next += 1
        }
        while let (index, outcome) = await group.next() {
            results[index] = outcome
            if next < hosts.count {
                let index = next
                group.addTask { (index, await body(hosts[index])) }
                next += 1
            }
        }
        return zip(hosts, results).map { ($0, $1!) }
    }
}
