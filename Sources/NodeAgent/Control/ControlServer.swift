import FleetCore
import Foundation
import Glibc

/// The agent's end of the control socket: one JSON request per connection, answered with one JSON
/// document (``ControlRequest``, ``ControlReply``).
///
/// Only the agent's own user and root are served (the socket is mode 0600 and the peer's uid is checked
/// again with `SO_PEERCRED`). A request larger than ``ControlMessage/maxRequestBytes`` or not complete
/// within ``ControlMessage/readTimeout`` is answered `bad-request`. The `handler` runs on the cooperative
/// pool; it hands switch and restart requests to the supervisor's one input stream.
final class ControlServer: Sendable {
    /// Answers one request from a peer with this uid.
    typealias Handler = @Sendable (ControlRequest, uid_t) async -> ControlReply

    /// Connections served at once.
    static let maxConnections = 8

    /// The socket's path.
    let path: String
    private let loop: AcceptLoop
    private let inode: UInt64

    /// Creates the socket (see ``UnixSocket/listen(at:backlog:)``); nothing is accepted before ``start()``.
    ///
    /// - Throws: ``AgentError`` when the socket cannot be created safely.
    /// - Parameter releasePages: give the pages a request faulted in back to the kernel once no connection
    ///   is left (``StartupPageRelease``).
    init(path: String, releasePages: Bool = false, handler: @escaping Handler) throws(AgentError) {
        self.path = path
        let fd = try UnixSocket.listen(at: path)
        var info = stat()
        inode = lstat(path, &info) == 0 ? UInt64(info.st_ino) : 0
        loop = AcceptLoop(
            descriptor: fd,
            limit: Self.maxConnections,
            serve: { Self.serve($0, handler: handler) },
            overLimit: {
                UnixSocket.writeAll($0, ControlMessage.encode(ControlReply(.busy, "too many control connections")))
            },
            whenIdle: releasePages ? StartupPageRelease.releaseQuietly : nil
        )
    }

    /// Starts accepting on a thread of its own.
    func start() { loop.start() }

    /// Stops accepting and removes the socket (only if it is still the one this server created).
    func stop() {
        loop.stop()
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK, UInt64(info.st_ino) == inode { unlink(path) }
    }

    private static func serve(_ fd: Int32, handler: @escaping Handler) {
        let reply: ControlReply
        let uid = UnixSocket.peerUID(fd)
        if let uid, uid == geteuid() || uid == 0 {
            let deadline = ContinuousClock.now + ControlMessage.readTimeout
            switch UnixSocket.readMessage(fd, maxBytes: ControlMessage.maxRequestBytes, deadline: deadline) {
            case .failure(.tooLarge):
                reply = ControlReply(.badRequest, "request over \(ControlMessage.maxRequestBytes) bytes")
            case .failure(.timedOut):
                reply = ControlReply(
                    .badRequest, "no complete request within \(GoDuration.format(ControlMessage.readTimeout))")
            case .failure(.error(let error)):
                reply = ControlReply(.badRequest, "reading the request: \(error)")
            case .success(let bytes):
                if let request = try? ControlMessage.decode(ControlRequest.self, from: bytes) {
                    reply = AcceptLoop.awaitResult { await handler(request, uid) }
                } else {
                    reply = ControlReply(.badRequest, "not a control request (JSON with a known \"command\")")
                }
            }
        } else {
            reply = ControlReply(.forbidden, "only uid \(geteuid()) and root may use the control socket")
        }
        UnixSocket.writeAll(fd, ControlMessage.encode(reply))
    }
}
