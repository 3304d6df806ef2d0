import Synchronization

/// Set from a task's cancellation handler, read by the session thread's wait loop.
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Marks the operation cancelled.
    func cancel() { value.store(true, ordering: .relaxed) }

    /// Whether `cancel()` was called.
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}
