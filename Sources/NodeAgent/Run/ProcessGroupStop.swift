import Foundation
import Glibc

/// Stops what is left of a process group: TERM, then KILL once the grace has run out.
///
/// A signal goes to the group only while ``ProcFS`` still finds a live member of it and `kill(-pgid, 0)`
/// succeeds, checked right before sending: once the last member is gone, the id may name someone else's
/// group. Blocking (it polls `/proc`); run it with ``BlockingWork``.
enum ProcessGroupStop {
    /// Sends TERM to group `pgid` (when `grace` > 0), waits up to `grace` for it to empty, then KILL and
    /// waits up to `killWait`.
    ///
    /// - Returns: whether the group is empty at the end.
    static func stop(_ pgid: Int32, grace: Duration, killWait: Duration = .seconds(10)) -> Bool {
        if grace > .zero, signalIfPresent(pgid, SIGTERM), waitUntilEmpty(pgid, for: grace) { return true }
        guard signalIfPresent(pgid, SIGKILL) else { return true }
        return waitUntilEmpty(pgid, for: killWait)
    }

    /// Signals the group when a live member exists; returns whether the signal was sent.
    static func signalIfPresent(_ pgid: Int32, _ signal: Int32) -> Bool {
        guard pgid > 1, !ProcFS.members(ofGroup: pgid).isEmpty, kill(-pgid, 0) == 0 else { return false }
        return killpg(pgid, signal) == 0
    }

    /// Polls `/proc` every 20 ms until the group has no live member or `duration` has passed.
    static func waitUntilEmpty(_ pgid: Int32, for duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        while true {
            if ProcFS.members(ofGroup: pgid).isEmpty { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
    }
}
