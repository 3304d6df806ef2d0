import Foundation
import Synchronization

/// Opens the TCP connection libssh2 runs over: resolve, non-blocking connect with a deadline, socket options.
enum TCPConnector {
    /// One address `getaddrinfo` returned, copied out so it can cross threads.
    struct Address: Sendable {
        var family: Int32
        var socketType: Int32
        var socketProtocol: Int32
        /// The `sockaddr` bytes.
        var sockaddr: [UInt8]
    }

    /// Looks `host` and `service` up, blocking; returns the addresses or the `gai_strerror` text.
    typealias Lookup = @Sendable (_ host: String, _ service: String) -> Result<[Address], LookupFailure>

    /// Why a lookup found nothing.
    struct LookupFailure: Error, Sendable { var reason: String }

    /// Connects to `host`:`port` and returns a non-blocking socket with `TCP_NODELAY` and `SO_KEEPALIVE` set.
    ///
    /// Every resolved address is tried in order until one connects. Name resolution runs on a helper
    /// thread, so a resolver that hangs cannot hold the connection past `deadline`.
    ///
    /// - Throws: `SSHError` `.resolve`, `.connect`, `.timedOut` or `.cancelled`.
    static func connect(
        host: String, port: Int, deadline: OperationDeadline, lookup: @escaping Lookup = systemLookup
    ) throws(SSHError) -> Int32 {
        var lastError = "no address"
        for address in try resolve(host: host, port: port, deadline: deadline, lookup: lookup) {
            switch attempt(address, deadline: deadline) {
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

    /// Runs `lookup` on its own thread and waits for it no longer than `deadline`.
    ///
    /// A lookup still running at the deadline is abandoned: its thread finishes (the resolver's own
    /// timeouts end it) and drops the answer.
    static func resolve(
        host: String, port: Int, deadline: OperationDeadline, lookup: @escaping Lookup
    ) throws(SSHError) -> [Address] {
        let answer = LookupAnswer()
        let thread = Thread {
            let result = lookup(host, String(port))
            answer.value.withLock { $0 = result }
            answer.done.signal()
        }
        thread.name = "fleet-resolve \(host)"
        thread.start()
        while answer.done.wait(timeout: .now() + .milliseconds(Int(deadline.remainingMilliseconds()))) == .timedOut {
            if deadline.cancel?.isCancelled == true {
                throw SSHError(
                    .cancelled, host: host, operation: "resolve", message: "cancelled while resolving \(host)")
            }
            if deadline.hasExpired {
                throw SSHError(
                    .timedOut, host: host, operation: "resolve",
                    message: "resolving \(host) did not finish within \(deadline.timeoutDescription)",
                    hint: "Check DNS (/etc/resolv.conf) or put the address in ansible_host / HostName")
            }
        }
        switch answer.value.withLock({ $0 }) {
        case .success(let addresses)?:
            return addresses
        case .failure(let failure)?:
            throw SSHError(
                .resolve, host: host, operation: "resolve", message: "cannot resolve \(host): \(failure.reason)",
                hint: "Check the host name (ansible_host / HostName) and DNS")
        case nil:
            throw SSHError(.resolve, host: host, operation: "resolve", message: "cannot resolve \(host): no answer")
        }
    }

    /// Where the lookup thread leaves its answer.
    private final class LookupAnswer: Sendable {
        let value = Mutex<Result<[Address], LookupFailure>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    /// `getaddrinfo` for TCP, any address family.
    static let systemLookup: Lookup = { host, service in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, service, &hints, &list)
        guard status == 0 else { return .failure(LookupFailure(reason: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor = list
        while let info = cursor?.pointee {
            cursor = info.ai_next
            guard let raw = info.ai_addr else { continue }
            let bytes = UnsafeRawBufferPointer(start: raw, count: Int(info.ai_addrlen))
            addresses.append(
                Address(
                    family: info.ai_family, socketType: info.ai_socktype, socketProtocol: info.ai_protocol,
                    sockaddr: Array(bytes)))
        }
        return addresses.isEmpty ? .failure(LookupFailure(reason: "no address")) : .success(addresses)
    }

    private struct Failure: Error, Sendable { var reason: String }

    private static func attempt(_ address: Address, deadline: OperationDeadline) -> Result<Int32, Failure> {
        let fd = socket(address.family, address.socketType | Int32(SOCK_CLOEXEC.rawValue), address.socketProtocol)
        guard fd >= 0 else { return .failure(Failure(reason: errnoText())) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let connected = address.sockaddr.withUnsafeBytes { bytes in
            Foundation.connect(fd, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
        if connected != 0 {
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
                return .failure(Failure(reason: GoText.errno(soError, capitalized: true)))
            }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        return .success(fd)
    }

    private static func errnoText() -> String { GoText.errno(errno, capitalized: true) }
}
