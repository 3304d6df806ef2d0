import Foundation
import Synchronization

/// The dedicated thread that owns one SSH session and runs every libssh2 call for it, in order.
///
/// libssh2 sessions must stay on one thread at a time and their calls block, so they never run
/// on Swift's cooperative pool (2 threads on our hosts; one stuck host would stall everything).
/// Jobs are closures queued under a `Mutex` and counted by a semaphore; the thread pops and runs
/// them one by one, passing the thread-confined `SessionContext`. A nil job stops the thread,
/// which then frees the session on the thread that used it.
final class SessionWorker: Sendable {
    /// A unit of work; receives the session state, which only ever lives on the worker thread.
    typealias Job = @Sendable (inout SessionContext?) -> Void

    /// Pending jobs (nil is the stop marker) and whether the stop marker was queued.
    private let queue = Mutex<(jobs: [Job?], stopped: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    /// Starts the thread, named after the host for debuggers and `top -H`.
    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = "fleet-ssh \(name)"
        LibSSH2.sessionThreadStarted()
        thread.start()
    }

    private func loop() {
        var context: SessionContext?
        while true {
            available.wait()
            guard let job = queue.withLock({ $0.jobs.removeFirst() }) else { break }
            job(&context)
        }
        context = nil
        LibSSH2.sessionThreadFinished()  // The process may exit now without cutting a libssh2 call short.
    }

    /// Queues `job`; it runs after every job queued before it. After `stop()` the job runs at once
    /// on the caller's thread with no session, so it fails fast instead of waiting forever.
    func enqueue(_ job: @escaping Job) {
        let accepted = queue.withLock { state in
            if !state.stopped { state.jobs.append(job) }
            return !state.stopped
        }
        if accepted {
            available.signal()
        } else {
            var none: SessionContext?
            job(&none)
        }
    }

    /// Queues the stop marker: the thread finishes earlier jobs, frees the session and exits.
    func stop() {
        let first = queue.withLock { state in
            defer { state.stopped = true }
            if !state.stopped { state.jobs.append(nil) }
            return !state.stopped
        }
        if first { available.signal() }
    }

    /// Runs `body` on the worker thread and returns its result; cancelling the task makes the
    /// body's socket waits throw `.cancelled` within about 100 ms.
    func run<T: Sendable>(
        _ body: @escaping @Sendable (inout SessionContext?, CancelFlag) throws(SSHError) -> T
    ) async throws(SSHError) -> T {
        let flag = CancelFlag()
        let result: Result<T, SSHError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, SSHError>, Never>) in
                enqueue { context in
                    do throws(SSHError) {
                        continuation.resume(returning: .success(try body(&context, flag)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            flag.cancel()
        }
        return try result.get()
    }
}
