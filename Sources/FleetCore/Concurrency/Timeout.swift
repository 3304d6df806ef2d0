/// Runs `body`, giving up on it after `timeout`: the body's task is then cancelled and nil returned.
///
/// The body must notice cancellation (the SSH layer's waits do, within about 100 ms): the call returns
/// once the body has wound down, so nothing it started outlives the call. A nil `timeout` just runs `body`.
///
/// ```swift
/// let outcome = await withTimeout(.seconds(10)) { await probe(host) } ?? .timedOut(host)
/// ```
public func withTimeout<T: Sendable>(
    _ timeout: Duration?, _ body: @escaping @Sendable () async -> T
) async -> T? {
    guard let timeout else { return await body() }
    return await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
