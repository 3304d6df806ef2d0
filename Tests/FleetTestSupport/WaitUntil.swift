/// Polls `condition` every 20 ms until it holds: the way tests wait for something observable (a file, a
/// height, a process gone) instead of sleeping for a guessed time.
///
/// - Throws: ``SandboxError`` naming `what` when `timeout` passes first, or what `condition` throws.
public func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else {
            throw SandboxError(message: "timed out after \(timeout) waiting for \(what)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
