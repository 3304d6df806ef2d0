/// The decisions of staging one file on one host: a pure state machine the I/O shell (``StageRunner``) drives.
///
/// The shell reports what happened (``Event``); the machine answers what to do next (``Action``). It never
/// touches the network, a file or a clock: backoff delays come from ``Backoff`` with the caller's jitter.
///
/// ```mermaid
/// stateDiagram-v2
///     [*] --> connecting: start
///     connecting --> inspecting: connected
///     connecting --> backingOff: connectFailed (transient, attempts left)
///     backingOff --> connecting: backoffElapsed
///     connecting --> finished: connectFailed (otherwise) → failed
///     inspecting --> finished: same sha256 → already-staged / differs, no --force → refused
///     inspecting --> transferring: missing, or differs with --force
///     inspecting --> finished: less free space than the file → failed
///     transferring --> verifying: transferred
///     verifying --> finished: rechecked → staged (or failed on a mismatch)
///     inspecting --> finished: failed
///     transferring --> finished: failed
///     verifying --> finished: failed
/// ```
///
/// Only connection failures are retried (refused, reset or timed out before the session is up, sshd's
/// `MaxStartups` drops). A connection that dies once the session is up is reported as a failure: the
/// transfer never renames an incomplete file into place, and the next run removes its temp file and
/// transfers again.
public struct StageHostMachine: Sendable {
    /// What happened, reported by the shell.
    public enum Event: Sendable, Hashable {
        /// Begin.
        case start
        /// The SSH session is up (host key verified, authenticated).
        case connected
        /// Connecting failed; `transient` for refused/reset/timed-out connections; `jitter` in 0…1.
        case connectFailed(reason: String, transient: Bool, jitter: Double)
        /// The backoff delay passed.
        case backoffElapsed
        /// The inspection read the target path.
        case inspected(StageRemoteFacts)
        /// The file is at the final path (renamed into place after the on-node sha256 check); `identity`
        /// is the verified temp file's.
        case transferred(StageRemoteFacts.Identity)
        /// What the final path holds after the rename (nil when it is not a regular file).
        case rechecked(StageRemoteFacts.Identity?)
        /// An operation on the open session failed.
        case failed(reason: String)
    }

    /// What the shell must do next.
    public enum Action: Sendable, Hashable {
        /// Open the SSH connection (attempt counts from 1).
        case connect(attempt: Int)
        /// Sleep, then report ``Event/backoffElapsed``.
        case wait(Duration)
        /// Run the inspection (and remove recognised leftover temp files).
        case inspect
        /// Transfer to a temp name beside the target, verify on the node, rename into place;
        /// `replacing` when a file is there now (the rename must replace it atomically).
        case transfer(replacing: Bool)
        /// Check that the final path holds the verified file (its inode and size; no second hash).
        case recheck(StageRemoteFacts.Identity)
        /// Stop: the host's result, the sha256 now at the target (when known), and the reason for
        /// `refused` and `failed`.
        case finish(StageResult, sha256: String?, reason: String?)
    }

    private enum State: Sendable, Hashable {
        case idle
        case connecting(attempt: Int)
        case backingOff(attempt: Int)
        case inspecting
        case transferring
        case verifying(StageRemoteFacts.Identity)
        case finished(StageResult)
    }

    /// The sha256 the host must end up with.
    public let wanted: String
    /// Replace a different file.
    public let force: Bool
    /// Connection attempts in all (the first plus the retries).
    public let maximumConnectAttempts: Int
    /// The file's size when known (push mode): a node with less free space beside the target fails
    /// before anything is written.
    public let bytes: Int64?
    private var state = State.idle

    /// A machine for one host.
    public init(wanted: String, force: Bool, maximumConnectAttempts: Int = 4, bytes: Int64? = nil) {
        self.wanted = wanted.lowercased()
        self.force = force
        self.maximumConnectAttempts = max(1, maximumConnectAttempts)
        self.bytes = bytes
    }

    /// Where the host is, for progress output.
    public var phase: StagePhase {
        switch state {
        case .idle: .queued
        case .connecting: .connecting
        case .backingOff(let attempt): .retrying(attempt: attempt + 1)
        case .inspecting: .inspecting
        case .transferring: .transferring
        case .verifying: .verifying
        case .finished(let result): .done(result)
        }
    }

    /// Feeds one event and returns the next action.
    public mutating func handle(_ event: Event) -> Action {
        switch (state, event) {
        case (.idle, .start):
            state = .connecting(attempt: 1)
            return .connect(attempt: 1)
        case (.connecting, .connected):
            state = .inspecting
            return .inspect
        case (.connecting(let attempt), .connectFailed(let reason, let transient, let jitter)):
            guard transient, attempt < maximumConnectAttempts else {
                let tries = attempt > 1 ? " (after \(attempt) attempts)" : ""
                return finish(.failed, sha256: nil, reason: reason + tries)
            }
            state = .backingOff(attempt: attempt)
            return .wait(Backoff.delay(attempt: attempt, jitter: jitter))
        case (.backingOff(let attempt), .backoffElapsed):
            state = .connecting(attempt: attempt + 1)
            return .connect(attempt: attempt + 1)
        case (.inspecting, .inspected(let facts)):
            let action = decide(facts.target)
            if case .transfer = action, let needed = bytes, let free = facts.freeBytes, free < needed {
                return finish(
                    .failed, sha256: nil,
                    reason: "not enough free space on the node: \(PreflightMatrix.human(free)) free where the "
                        + "target goes, \(PreflightMatrix.human(needed)) needed; free some space and run again")
            }
            return action
        case (.transferring, .transferred(let identity)):
            state = .verifying(identity)
            return .recheck(identity)
        case (.verifying(let verified), .rechecked(let found)):
            guard found == verified else {
                let what = found.map { "inode \($0.inode), \($0.size) bytes" } ?? "no file"
                return finish(
                    .failed, sha256: nil,
                    reason: "after the rename the target holds \(what), not the verified file (inode "
                        + "\(verified.inode), \(verified.size) bytes)")
            }
            return finish(.staged, sha256: wanted, reason: nil)
        case (.inspecting, .failed(let reason)), (.transferring, .failed(let reason)),
            (.verifying, .failed(let reason)), (.connecting, .failed(let reason)), (.backingOff, .failed(let reason)):
            return finish(.failed, sha256: nil, reason: reason)
        default:
            preconditionFailure("stage: event \(event) in state \(state)")
        }
    }

    private mutating func decide(_ target: StageRemoteFacts.Target) -> Action {
        switch target {
        case .missing:
            state = .transferring
            return .transfer(replacing: false)
        case .file(let sha256) where sha256.lowercased() == wanted:
            return finish(.alreadyStaged, sha256: wanted, reason: nil)
        case .file(let sha256):
            guard force else {
                return finish(
                    .refused, sha256: sha256,
                    reason: "staged binary differs: \(sha256) vs \(wanted); use --force to replace")
            }
            state = .transferring
            return .transfer(replacing: true)
        case .symlink:
            guard force else {
                return finish(
                    .refused, sha256: nil,
                    reason: "the target is a symbolic link that does not lead to a file; use --force to replace it")
            }
            state = .transferring
            return .transfer(replacing: true)
        case .directory:
            return finish(.refused, sha256: nil, reason: "the target is a directory; remove it first")
        case .other:
            return finish(.refused, sha256: nil, reason: "the target exists and is not a regular file; remove it first")
        }
    }

    private mutating func finish(_ result: StageResult, sha256: String?, reason: String?) -> Action {
        state = .finished(result)
        return .finish(result, sha256: sha256, reason: reason)
    }
}
