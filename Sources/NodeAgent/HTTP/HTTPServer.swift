import FleetCore
import Foundation
import Glibc

/// The agent's small HTTP/1.1 listener (`NODE_AGENT_LISTEN`): `GET /status`, `/metrics`, `/healthz`.
///
/// One request per connection (`Connection: close`), served on a short-lived thread of its own (at most
/// ``maxConnections`` at once, one more is answered 503), request head at most ``maxRequestBytes`` (431
/// beyond) and complete within ``readTimeout`` (408), GET or HEAD only (405 with `Allow`). It reads the
/// supervisor's published view (``AgentPublication``) and never waits for the supervisor. No NIO: the
/// idle agent's memory is the point (docs/agent-http.md); for the same reason the pages a request faulted
/// in (JSON, the status collector, swift-prometheus) go back to the kernel once no request is left
/// (``StartupPageRelease``, unless `NODE_AGENT_KEEP_STARTUP_PAGES`).
final class HTTPServer: Sendable {
    /// Connections served at once.
    static let maxConnections = 8
    /// The largest request head read.
    static let maxRequestBytes = 8192
    /// How long a client may take to send its request head.
    static let readTimeout = Duration.seconds(5)

    /// Where it listens (the port the kernel chose when `0` was asked).
    let address: ListenAddress
    private let loop: AcceptLoop

    private init(address: ListenAddress, loop: AcceptLoop) {
        self.address = address
        self.loop = loop
    }

    /// Binds `address` and starts serving on a thread of its own.
    ///
    /// - Throws: ``AgentError`` naming the address when it cannot be bound.
    static func start(
        _ address: ListenAddress,
        configuration: AgentConfiguration,
        publication: AgentPublication
    ) throws(AgentError) -> HTTPServer {
        let fd = try bind(address)
        let endpoints = HTTPEndpoints(configuration: configuration, publication: publication)
        let loop = AcceptLoop(
            descriptor: fd,
            limit: maxConnections,
            serve: { serve($0, endpoints) },
            overLimit: { UnixSocket.writeAll($0, HTTPResponse(status: 503, body: "too many connections\n").bytes) },
            whenIdle: configuration.keepStartupPages ? nil : StartupPageRelease.releaseQuietly
        )
        loop.start()
        return HTTPServer(address: address, loop: loop)
    }

    /// Stops accepting and closes the listening socket.
    func stop() { loop.stop() }

    private static func serve(_ fd: Int32, _ endpoints: HTTPEndpoints) {
        let deadline = ContinuousClock.now + readTimeout
        let response: HTTPResponse
        switch UnixSocket.readMessage(
            fd, maxBytes: maxRequestBytes, deadline: deadline, terminator: Array("\r\n\r\n".utf8))
        {
        case .failure(.tooLarge):
            response = HTTPResponse(status: 431, body: "request head over \(maxRequestBytes) bytes\n")
        case .failure(.timedOut):
            response = HTTPResponse(status: 408, body: "no complete request within \(GoDuration.format(readTimeout))\n")
        case .failure(.error):
            return
        case .success(let head):
            response = respond(to: head, endpoints)
        }
        UnixSocket.writeAll(fd, response.bytes)
    }

    /// The answer to one request head (request line and headers, without the blank line).
    static func respond(to head: [UInt8], _ endpoints: HTTPEndpoints) -> HTTPResponse {
        let line = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else {
            return HTTPResponse(status: 400, body: "not an HTTP/1.x request line\n")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        guard method == "GET" || method == "HEAD" else {
            var response = HTTPResponse(status: 405, body: "only GET is served\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        let path = String(target.prefix { $0 != "?" })
        var response = endpoints.answer(path)
        if method == "HEAD" { response.omitBody = true }
        return response
    }

    private static func bind(_ address: ListenAddress) throws(AgentError) -> Int32 {
        func failure(_ what: String, _ code: Int32) -> AgentError {
            AgentError(.command, "NODE_AGENT_LISTEN \(address): \(what): \(GoText.errno(code))")
        }
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        if address.isIPv6 {
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = address.port.bigEndian
            inet_pton(AF_INET6, address.host, &socketAddress.sin6_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = address.port.bigEndian
            inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if result == 0 { result = listen(fd, 16) }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw failure("bind", code)
        }
        return fd
    }
}
