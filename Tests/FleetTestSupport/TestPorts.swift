import Foundation

/// Loopback TCP ports for test servers (mockchaind's RPC, stub listeners).
public enum TestPorts {
    /// A port the kernel says is free and that no other test of this process was given: two servers on
    /// one port would make one of them fail to start.
    public static func free() throws -> Int {
        for _ in 0..<50 {
            if let port = kernelFreePort(), Registry.shared.claim(port) { return port }
        }
        throw SandboxError(message: "no free loopback port")
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted (on loopback the answer comes at once).
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// 127.0.0.1:`port` as a socket address.
    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    /// Binds port 0 on 127.0.0.1, reads back what the kernel chose, closes.
    private static func kernelFreePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Ports handed out in this process; guarded by `lock`.
    private final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var used: Set<Int> = []

        func claim(_ port: Int) -> Bool { lock.withLock { used.insert(port).inserted } }
    }
}
