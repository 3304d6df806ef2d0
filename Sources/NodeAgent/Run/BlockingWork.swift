import Foundation

/// Runs blocking work (socket I/O, a recursive copy, fsync) on its own thread, never on the cooperative pool.
enum BlockingWork {
    /// Runs `body` on a fresh thread and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 512 << 10
            thread.start()
        }
    }
}
