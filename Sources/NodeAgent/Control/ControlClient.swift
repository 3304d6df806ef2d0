import FleetCore
import Foundation
import Glibc

/// The CLI's end of the control socket (`node-agent switch`, `restart`, `status`).
struct ControlClient: Sendable {
    /// The socket's path (``ControlMessage/socketPath(in:)``).
    var path: String

    /// Why no answer came.
    enum Failure: Error, Equatable, CustomStringConvertible {
        /// Nothing listens: no agent runs for this home (or it runs without the control channel).
        case noAgent(String)
        /// The connection was made but no complete answer came in time.
        case noAnswer(String)

        var description: String {
            switch self {
            case .noAgent(let text), .noAnswer(let text): text
            }
        }
    }

    /// Sends `request` and waits up to `timeout` for the answer, blocking (call it through ``BlockingWork``).
    func send(_ request: ControlRequest, timeout: Duration) -> Result<ControlReply, Failure> {
        let fd: Int32
        switch UnixSocket.connect(to: path) {
        case .success(let connected): fd = connected
        case .failure(let error):
            return .failure(.noAgent("cannot reach the agent at \(path): \(error)"))
        }
        defer { close(fd) }
        guard UnixSocket.writeAll(fd, ControlMessage.encode(request)) else {
            return .failure(.noAnswer("the agent at \(path) closed the connection"))
        }
        shutdown(fd, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + timeout
        switch UnixSocket.readMessage(fd, maxBytes: ControlMessage.maxReplyBytes, deadline: deadline) {
        case .success(let bytes):
            guard let reply = try? ControlMessage.decode(ControlReply.self, from: bytes) else {
                return .failure(.noAnswer("the agent at \(path) sent no valid answer"))
            }
            return .success(reply)
        case .failure(.timedOut):
            return .failure(.noAnswer("no answer from the agent at \(path) within \(GoDuration.format(timeout))"))
        case .failure(.tooLarge):
            return .failure(.noAnswer("the answer from \(path) is over \(ControlMessage.maxReplyBytes) bytes"))
        case .failure(.error(let error)):
            return .failure(.noAnswer("reading the answer from \(path): \(error)"))
        }
    }
}
