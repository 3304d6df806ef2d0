import Foundation
import Glibc
import Synchronization

/// systemd's side of sd_notify for tests: a bound `AF_UNIX` datagram socket (a path, or an abstract
/// name) and a thread that collects every message it receives.
final class NotifyListener: Sendable {
    /// What the agent is given as `NOTIFY_SOCKET`.
    let address: String
    private let fd: Int32
    private let received = Mutex<[String]>([])
    private let closed = Atomic<Bool>(false)

    /// Binds `path`, or the abstract name when `path` starts with `@`.
    init(_ path: String) throws {
        address = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes = path.hasPrefix("@") ? [0] + Array(path.utf8.dropFirst()) : Array(path.utf8)
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw HarnessError("bind \(path): \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in receiveLoop() }
        thread.start()
    }

    /// Every message so far, in arrival order.
    var messages: [String] { received.withLock { $0 } }

    /// Every `KEY=value` field so far, in order.
    var fields: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }

    /// The `STATUS=` texts so far.
    var statuses: [String] { fields.filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) } }

    /// Stops the thread and closes the socket.
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !closed.load(ordering: .sequentiallyConsistent) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                received.withLock { $0.append(message) }
            }
        }
        Glibc.close(fd)
    }
}
