import Foundation
import Synchronization

/// Turns SIGINT (Ctrl-C) and SIGTERM into a call on an ordinary thread, so a long-running command can stop
/// cleanly: cancel its work, close its sessions, restore the terminal, exit 0.
///
/// The signal handler only writes the signal's number to a pipe (all a handler may safely do); a
/// dedicated thread reads it and calls the handler given to ``install(_:)``. That thread unblocks both
/// signals for itself, so they arrive even when fleet was started with them blocked (a parent's thread
/// mask is inherited through `exec`).
public enum InterruptSignal {
    /// Installs `handler` for SIGINT and SIGTERM for the rest of the process (one installation per process;
    /// later calls replace the handler). Each signal calls it once, with the signal's number.
    public static func install(_ handler: @escaping @Sendable (Int32) -> Void) {
        installed.withLock { $0 = handler }
        _ = started
    }

    private static let installed = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// Creates the pipe, the handlers and the reading thread, once.
    private static let started: Bool = {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        interruptPipeWriter = fds[1]
        let reader = fds[0]
        let thread = Thread {
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGINT)
            sigaddset(&mask, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            var byte: UInt8 = 0
            while true {
                let count = read(reader, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                let handler = installed.withLock { $0 }
                handler?(Int32(byte))
            }
        }
        thread.name = "fleet-signals"
        thread.start()
        signal(SIGINT, interruptSignalHandler)
        signal(SIGTERM, interruptSignalHandler)
        return true
    }()
}

/// The write end of the signal pipe, set once before the handlers are installed.
nonisolated(unsafe) private var interruptPipeWriter: Int32 = -1

/// The signal handler: async-signal-safe, it only writes the signal's number to the pipe.
private func interruptSignalHandler(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(interruptPipeWriter, &byte, 1)
}
