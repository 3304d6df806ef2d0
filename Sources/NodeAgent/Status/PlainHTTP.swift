import Foundation
import Glibc

/// The node's local RPC over plain HTTP/1.0 on a TCP socket, with connect and read deadlines: the height gate,
/// `status` and the plan query use it instead of an HTTP library (the RPC is local and unencrypted).
enum PlainHTTP {
    /// A minimal HTTP/1.0 GET over a plain TCP socket, with connect and read deadlines.
    static func get(_ url: String, path: String, timeoutMS: Int32) -> Data? {
        var rest = Substring(url)
        guard rest.hasPrefix("http://") else { return nil }
        rest = rest.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let base = rest.dropFirst(authority.count)
        let requestPath = (base.hasSuffix("/") ? String(base.dropLast()) : String(base)) + path
        let host: String
        let port: String
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = "80"
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &info) == 0 else { return nil }
        defer { freeaddrinfo(info) }
        // Every address in turn (`localhost` may resolve to ::1 first while the node listens on 127.0.0.1).
        var fd: Int32 = -1
        var candidate = info
        while let address = candidate, fd < 0 {
            fd = connectSocket(address.pointee, timeoutMS: timeoutMS)
            candidate = address.pointee.ai_next
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let request = Array("GET \(requestPath) HTTP/1.0\r\nHost: \(authority)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                guard wait(fd, Int16(POLLOUT), timeoutMS) else { return nil }
            } else {
                return nil
            }
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while response.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                response += buffer[0..<n]
            } else if n == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                guard wait(fd, Int16(POLLIN), timeoutMS) else { return nil }
            } else {
                return nil
            }
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard response.starts(with: Array("HTTP/1.".utf8)),
            response.count > 12, response[9] == UInt8(ascii: "2"),
            let split = (0...(response.count - 4)).first(where: { Array(response[$0..<$0 + 4]) == separator })
        else { return nil }
        return Data(response[(split + 4)...])
    }

    /// A connected non-blocking TCP socket to `address`, or -1.
    private static func connectSocket(_ address: addrinfo, timeoutMS: Int32) -> Int32 {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(address.ai_family, flags, 0)
        guard fd >= 0 else { return -1 }
        if connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard errno == EINPROGRESS, wait(fd, Int16(POLLOUT), timeoutMS),
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0
            else {
                close(fd)
                return -1
            }
        }
        return fd
    }

    private static func wait(_ fd: Int32, _ events: Int16, _ timeoutMS: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&entry, 1, timeoutMS)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}
