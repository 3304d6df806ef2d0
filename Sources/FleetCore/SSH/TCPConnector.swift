import Foundation

/// Opens the TCP connection libssh2 runs over: resolve, non-blocking connect with a deadline, socket options.
enum TCPConnector {
    /// Connects to `host`:`port` and returns a non-blocking socket with `TCP_NODELAY` and `SO_KEEPALIVE` set.
    ///
    /// Every resolved address is tried in order until one connects. Name resolution itself is a
    /// blocking `getaddrinfo` on the session thread.
    ///
    /// - Throws: `SSHError` `.resolve`, `.connect`, `.timedOut` or `.cancelled`.
    static func connect(host: String, port: Int, deadline: OperationDeadline) throws(SSHError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SSHError(
                .resolve, host: host, operation: "resolve", message: String(cString: gai_strerror(status)),
                hint: "Check the host name (ansible_host / HostName) and DNS")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            switch attempt(info.pointee, deadline: deadline) {
            case .success(let fd): return fd
            case .failure(let failure): lastError = failure.reason
            }
            if deadline.cancel?.isCancelled == true {
                throw SSHError(.cancelled, host: host, operation: "connect", message: "cancelled")
            }
            if deadline.hasExpired {
                throw SSHError(
                    .timedOut, host: host, operation: "connect",
                    message: "no TCP connection to port \(port) within \(deadline.timeoutDescription)",
                    hint: "Check that the host is up and that a firewall does not drop SSH")
            }
        }
        throw SSHError(
            .connect, host: host, operation: "connect", message: "\(lastError) (port \(port))",
            hint: "Check that sshd runs on the host and listens on that port")
    }

    private struct Failure: Error { var reason: String }

    private static func attempt(_ info: addrinfo, deadline: OperationDeadline) -> Result<Int32, Failure> {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { return .failure(Failure(reason: errnoText())) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if Foundation.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                let reason = errnoText()
                close(fd)
                return .failure(Failure(reason: reason))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while true {
                if deadline.hasExpired || deadline.cancel?.isCancelled == true {
                    close(fd)
                    return .failure(Failure(reason: "connect timed out"))
                }
                let ready = poll(&pfd, 1, deadline.remainingMilliseconds())
                if ready > 0 { break }
                if ready < 0 && errno != EINTR {
                    let reason = errnoText()
                    close(fd)
                    return .failure(Failure(reason: reason))
                }
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                close(fd)
                return .failure(Failure(reason: String(cString: strerror(soError))))
            }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(fd)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
