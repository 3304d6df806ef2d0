import Foundation

/// The one `poll(2)` wait for a single descriptor with a deadline, used by blocking socket code outside
/// libssh2 (the agent's control socket, its HTTP client to the node's RPC). Runs on the calling thread:
/// never call it from the cooperative pool.
///
/// ```swift
/// guard DescriptorPoll.wait(fd, for: Int16(POLLIN), until: .now + .seconds(5)) else { throw timedOut }
/// ```
public enum DescriptorPoll {
    /// Waits until `fd` reports one of `events` (or an error or hang-up), retrying after `EINTR` and
    /// polling at most a minute at a time.
    ///
    /// - Returns: true when `fd` is ready (or `poll` itself failed: the next call on `fd` tells why); false
    ///   when `deadline` passed first.
    public static func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            return ready > 0
        }
    }
}
