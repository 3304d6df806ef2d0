import Dispatch
import Foundation
import Glibc
import Synchronization

/// Accepts connections on a listening socket on a thread of its own and serves each one on a short-lived
/// thread, at most ``limit`` at once; the control socket and the HTTP listener share it.
///
/// Nothing here runs on the cooperative pool or on the supervisor's task: a slow or hostile client
/// costs one thread until its read deadline, never the supervisor's loop.
final class AcceptLoop: Sendable {
    /// The listening descriptor (closed by ``stop()``).
    let descriptor: Int32
    /// Connections served at once; one more is handed to `overLimit` and closed.
    let limit: Int
    private let serve: @Sendable (Int32) -> Void
    private let overLimit: @Sendable (Int32) -> Void
    private let whenIdle: (@Sendable () -> Void)?
    private let active = Mutex(0)
    private let stopped = Mutex(false)
    private let wake: (read: Int32, write: Int32)

    /// - Parameters:
    ///   - serve: handles one accepted connection (blocking is fine); the loop closes it afterwards.
    ///   - overLimit: answers a connection refused for the limit (non-blocking writes only).
    ///   - whenIdle: runs on the thread of the last connection served, once no other is left.
    init(
        descriptor: Int32,
        limit: Int,
        serve: @escaping @Sendable (Int32) -> Void,
        overLimit: @escaping @Sendable (Int32) -> Void,
        whenIdle: (@Sendable () -> Void)? = nil
    ) {
        self.descriptor = descriptor
        self.limit = limit
        self.serve = serve
        self.overLimit = overLimit
        self.whenIdle = whenIdle
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        } else {
            fds = [-1, -1]
        }
        wake = (fds[0], fds[1])
    }

    /// Starts accepting on a new thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Stops accepting and closes the listening descriptor (connections being served finish on their own).
    func stop() {
        guard
            !stopped.withLock({ (done: inout Bool) -> Bool in
                defer { done = true }; return done
            })
        else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func run() {
        var entries = [
            pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&entries, 2, -1)
            if ready < 0 { continue }  // EINTR
            if entries[1].revents != 0 { break }
            guard entries[0].revents != 0 else { continue }
            let fd = accept(descriptor, nil, nil)
            guard fd >= 0 else { continue }
            // Agents spawn with every descriptor close-on-exec (ChildProcess); a connection is no exception.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let admitted = active.withLock { count in
                guard count < limit else { return false }
                count += 1
                return true
            }
            guard admitted else {
                overLimit(fd)
                close(fd)
                continue
            }
            let thread = Thread { [self] in
                serve(fd)
                close(fd)
                let left = active.withLock { count -> Int in
                    count -= 1
                    return count
                }
                if left == 0 { whenIdle?() }
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        close(descriptor)
        close(wake.read)
        close(wake.write)
    }

    /// Runs `body` on the cooperative pool and blocks this (non-pool) thread until it returns.
    static func awaitResult<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        // Unstructured on purpose: the caller is a plain thread serving one connection, not a task.
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
