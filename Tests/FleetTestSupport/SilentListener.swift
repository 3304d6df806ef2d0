import Foundation

/// A TCP port on 127.0.0.1 that takes connections and never says a word: the socket listens but never
/// accepts, so the kernel completes each connect into its backlog and the client then waits forever (an
/// sshd that is wedged, or a port forwarded to nothing). Closed when the listener is freed.
public final class SilentListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let fd: Int32

    /// Listens on a free loopback port.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SandboxError(message: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw SandboxError(message: "cannot listen on 127.0.0.1: errno \(code)")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
