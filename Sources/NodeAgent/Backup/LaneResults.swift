import Dispatch

/// Runs `count` blocking jobs (system calls on files) in a few threads and keeps each one's result in its slot,
/// for the backup's walk and writer: on a cold cache every `lstat`/`link` waits for an inode read, and several
/// requests in flight overlap those waits.
///
/// `@unchecked Sendable` without a lock: each slot is written by exactly one lane, and read only after
/// ``run(lanes:_:)`` has returned (`concurrentPerform` joins its lanes before returning).
final class LaneResults<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<Value, AgentError>?>
    /// How many jobs.
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    /// Runs `job` for every position in `0..<count`, in at most `lanes` threads; returns when all are done.
    func run(lanes: Int, _ job: @Sendable (Int) throws(AgentError) -> Value) {
        let lanes = min(lanes, max(count, 1))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for position in stride(from: lane, to: count, by: lanes) {
                slots[position] = Result { () throws(AgentError) in try job(position) }
            }
        }
    }

    /// The result of job `position`.
    func take(_ position: Int) -> Result<Value, AgentError> {
        slots[position] ?? .failure(AgentError(.step, "backup job \(position) did not run"))
    }
}
