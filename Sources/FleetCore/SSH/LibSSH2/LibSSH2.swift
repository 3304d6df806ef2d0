import CSSH2
import Glibc
import Synchronization

/// Process-wide libssh2 state and the one helper every return code passes through.
enum LibSSH2 {
    /// `libssh2_init(0)`, run once before the first session; never undone (no `libssh2_exit`).
    ///
    /// It also registers the exit hook that closes the bastion connections: `atexit` handlers run in
    /// reverse order, so ours runs before the OpenSSL cleanup that `libssh2_init` registered, while
    /// their threads may still use the library.
    static let initialized: Bool = {
        let ok = libssh2_init(0) == 0
        atexit {
            LibSSH2.waitForSessionThreads(within: .seconds(2))
            BastionPool.shared.closeAllForExit()
        }
        return ok
    }()

    /// Session threads (``SessionWorker``) that may still call libssh2, such as one freeing its session
    /// right after the command's last `close()` returned.
    private static let sessionThreads = Mutex(0)

    /// Counts a session thread in, before it starts.
    static func sessionThreadStarted() { sessionThreads.withLock { $0 += 1 } }

    /// Counts a session thread out, once it made its last libssh2 call.
    static func sessionThreadFinished() { sessionThreads.withLock { $0 -= 1 } }

    /// Waits (at most `limit`) for every session thread to finish, so none is inside libssh2 when the
    /// process exits and OpenSSL tears itself down.
    static func waitForSessionThreads(within limit: Duration) {
        let deadline = ContinuousClock.now + limit
        while sessionThreads.withLock({ $0 }) > 0 && ContinuousClock.now < deadline {
            usleep(2_000)
        }
    }

    /// Throws when `rc` is a libssh2 failure, with the session's last error message; returns `rc` otherwise.
    ///
    /// - Parameters:
    ///   - rc: the return value of a libssh2 call (negative means failure).
    ///   - session: the session whose last error explains the failure.
    ///   - operation: what we were doing, for the message.
    ///   - code: the error code to use unless the failure says the connection is gone or timed out.
    ///   - hint: what the person can do about it.
    @discardableResult
    static func check(
        _ rc: Int32,
        session: LibSSH2Session,
        operation: String,
        code: SSHError.Code,
        hint: String = ""
    ) throws(SSHError) -> Int32 {
        guard rc < 0 else { return rc }
        throw session.error(rc: rc, operation: operation, code: code, hint: hint)
    }

    /// Whether `rc` means the transport is unusable (socket errors, timeouts, protocol corruption).
    static func isFatal(_ rc: Int32) -> Bool {
        [
            LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_INVALID_MAC, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_TIMEOUT,
            LIBSSH2_ERROR_DECRYPT, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_PROTO,
            LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_BAD_SOCKET,
        ].contains(rc)
    }

    /// Whether `rc` during the handshake looks like sshd dropping us before the banner (`MaxStartups`).
    static func isBannerFailure(_ rc: Int32) -> Bool {
        [
            LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND, LIBSSH2_ERROR_SOCKET_RECV,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_SEND,
        ].contains(rc)
    }
}
