import Foundation
import Synchronization

/// One host's request for a `direct-tcpip` tunnel through a bastion, handed between the host's
/// thread (which waits) and the bastion's thread (which answers).
///
/// The waiter gives up at its deadlines or when cancelled; a tunnel the bastion opens after that is
/// closed by the bastion, never leaked.
final class TunnelRequest: Sendable {
    /// Where the tunnel must lead.
    let host: String
    /// The destination port.
    let port: Int
    /// Whether the tunnel carries a session kept open for the whole run (see ``BastionPool``).
    let longLived: Bool

    private enum Phase {
        /// Waiting for a free channel on the bastion.
        case queued(since: ContinuousClock.Instant)
        /// The bastion is opening the channel.
        case opening(since: ContinuousClock.Instant)
        /// The socket to run the session over.
        case ready(Int32)
        case failed(SSHError)
        /// The waiter left; whatever arrives now is closed.
        case abandoned
    }

    private let phase = Mutex<Phase>(.queued(since: .now))
    private let answered = DispatchSemaphore(value: 0)

    init(host: String, port: Int, longLived: Bool = false) {
        self.host = host
        self.port = port
        self.longLived = longLived
    }

    // MARK: - Bastion side

    /// Whether the waiter is gone, so the request can be dropped from the queue.
    var isAbandoned: Bool {
        phase.withLock {
            if case .abandoned = $0 { return true }
            return false
        }
    }

    /// Marks the channel as being opened; false when the waiter already left.
    func startOpening() -> Bool {
        phase.withLock { phase in
            guard case .queued = phase else { return false }
            phase = .opening(since: .now)
            return true
        }
    }

    /// Hands over the tunnel's socket; false when the waiter already left (the caller then closes it).
    func fulfill(_ socket: Int32) -> Bool {
        let taken = phase.withLock { phase in
            guard case .opening = phase else { return false }
            phase = .ready(socket)
            return true
        }
        if taken { answered.signal() }
        return taken
    }

    /// Tells the waiter why there is no tunnel.
    func fail(_ error: SSHError) {
        let told = phase.withLock { phase in
            switch phase {
            case .queued, .opening:
                phase = .failed(error)
                return true
            case .ready, .failed, .abandoned:
                return false
            }
        }
        if told { answered.signal() }
    }

    // MARK: - Waiter side

    /// Waits for the socket: at most `queueTimeout` for a free channel, then `openTimeout` for the
    /// bastion to open it.
    /// - Throws: the bastion's error (``throughBastion(_:bastion:)``), `.timedOut` or `.cancelled`.
    func wait(
        bastion: String, queueTimeout: Duration, openTimeout: Duration, cancel: CancelFlag?
    ) throws(SSHError) -> Int32 {
        let destination = port == 22 ? host : "\(host):\(port)"
        while true {
            _ = answered.wait(timeout: .now() + .milliseconds(100))
            var failure: SSHError?
            let socket: Int32? = phase.withLock { phase in
                switch phase {
                case .ready(let socket):
                    return socket
                case .failed(let error):
                    failure = throughBastion(error, bastion: bastion)
                case .abandoned:
                    failure = SSHError(.cancelled, host: host, operation: "connect", message: "abandoned")
                case .queued(let since):
                    if cancel?.isCancelled == true {
                        failure = SSHError(
                            .cancelled, host: host, operation: "connect", message: "the task was cancelled")
                    } else if since.duration(to: .now) > queueTimeout {
                        failure = SSHError(
                            .timedOut, host: host, operation: "connect",
                            message: "no free channel on bastion \(bastion) within \(queueTimeout) (every channel "
                                + "of its one connection stayed busy)",
                            hint: "Fewer hosts at once (-f), or a longer timeout")
                    }
                case .opening(let since):
                    if cancel?.isCancelled == true {
                        failure = SSHError(
                            .cancelled, host: host, operation: "connect", message: "the task was cancelled")
                    } else if since.duration(to: .now) > openTimeout {
                        failure = SSHError(
                            .timedOut, host: host, operation: "connect",
                            message: "bastion \(bastion) did not connect to \(destination) within \(openTimeout)",
                            hint: "Check that the host is up and reachable from the bastion")
                    }
                }
                if failure != nil { phase = .abandoned }
                return nil
            }
            if let socket { return socket }
            if let failure { throw failure }
        }
    }

    /// The bastion's failure (`error`, told by its connection) as this host's error: same code, this host,
    /// the bastion named, and a timeout said as one (`bastion ops@b timed out in handshake: no progress
    /// within 5 s`). A cancellation (fleet exiting) is passed on as it is.
    func throughBastion(_ error: SSHError, bastion: String) -> SSHError {
        guard error.code != .cancelled else { return error }
        let message =
            error.code == .timedOut
            ? "bastion \(bastion) timed out in \(error.operation): \(error.message)"
            : "bastion \(bastion): \(error.message)"
        return SSHError(
            error.code, host: host, operation: "connect through bastion \(bastion)", message: message,
            hint: error.hint, libssh2Code: error.libssh2Code)
    }
}
