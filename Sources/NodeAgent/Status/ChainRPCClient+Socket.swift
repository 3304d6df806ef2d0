import FleetCore
import Foundation
import Glibc

extension ChainRPCClient {
    /// One HTTP/1.0 GET of `url` (`http://host[:port]/path?query`) over a plain TCP socket, blocking.
    ///
    /// Every address of the host is tried in turn (`localhost` may resolve to ::1 first while the node
    /// listens on 127.0.0.1); the whole exchange, connects included, must end within `timeout`.
    /// - Returns: the body of a 2xx answer.
    /// - Throws: ``AgentError`` `GET <url>: <reason>`.
    static func plainGet(_ url: String, timeout: Duration, maxBytes: Int) throws(AgentError) -> Data {
        func failure(_ reason: String) -> AgentError { AgentError(.download, "GET \(url): \(reason)") }
        let late = "no answer within \(GoDuration.format(timeout))"
        var rest = Substring(url)
        guard rest.hasPrefix("http://") else { throw failure("not an http:// URL") }
        rest = rest.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let requestPath = rest.dropFirst(authority.count)
        let host: String
        let port: String
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = "80"
        }
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &info)
        guard resolved == 0 else { throw failure("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))") }
        defer { freeaddrinfo(info) }
        var fd: Int32 = -1
        var connectError: Int32 = 0
        var candidate = info
        while let address = candidate, fd < 0 {
            (fd, connectError) = connectSocket(address.pointee, deadline: deadline)
            candidate = address.pointee.ai_next
        }
        guard fd >= 0 else { throw failure(GoText.errno(connectError)) }
        defer { close(fd) }
        let path = requestPath.isEmpty ? "/" : String(requestPath)
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(authority)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                guard DescriptorPoll.wait(fd, for: Int16(POLLOUT), until: deadline) else { throw failure(late) }
            } else {
                throw failure(GoText.errno(errno))
            }
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                response += buffer[0..<n]
                guard response.count <= maxBytes + 16 << 10 else { throw failure("answer over \(maxBytes) bytes") }
            } else if n == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                guard DescriptorPoll.wait(fd, for: Int16(POLLIN), until: deadline) else { throw failure(late) }
            } else {
                throw failure(GoText.errno(errno))
            }
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard response.starts(with: Array("HTTP/1.".utf8)), response.count > 12,
            let split = (0...(response.count - 4)).first(where: { Array(response[$0..<$0 + 4]) == separator })
        else { throw failure("not an HTTP answer") }
        let statusLine = String(decoding: response.prefix { $0 != 13 }, as: UTF8.self)
        guard response[9] == UInt8(ascii: "2") else {
            throw failure(GoDuration.goQuote(String(statusLine.prefix(200))))
        }
        let body = response[(split + 4)...]
        guard body.count <= maxBytes else { throw failure("answer over \(maxBytes) bytes") }
        return Data(body)
    }

    /// A connected non-blocking TCP socket to `address`, or -1 and the errno.
    private static func connectSocket(_ address: addrinfo, deadline: ContinuousClock.Instant) -> (Int32, Int32) {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(address.ai_family, flags, 0)
        guard fd >= 0 else { return (-1, errno) }
        if connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let code = errno
                close(fd)
                return (-1, code)
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard DescriptorPoll.wait(fd, for: Int16(POLLOUT), until: deadline) else {
                close(fd)
                return (-1, ETIMEDOUT)
            }
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                close(fd)
                return (-1, error == 0 ? errno : error)
            }
        }
        return (fd, 0)
    }
}
