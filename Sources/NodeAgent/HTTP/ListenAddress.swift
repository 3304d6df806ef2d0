import Foundation
import Glibc

/// `NODE_AGENT_LISTEN`: where the HTTP listener (`/status`, `/metrics`, `/healthz`) binds.
///
/// `127.0.0.1:26680`, `[::1]:26680`, or a bare port (`26680`, `:26680`) meaning loopback. The host must
/// be an IP literal (no name lookups at start); `0.0.0.0` or `[::]` expose it on every interface, which
/// the operator has to write out.
struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IP literal, without brackets.
    var host: String
    var port: UInt16

    /// Whether ``host`` is IPv6.
    var isIPv6: Bool { host.contains(":") }

    var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses the setting.
    ///
    /// - Throws: ``ConfigurationProblem`` naming the variable and the value.
    static func parse(_ text: String) throws(ConfigurationProblem) -> ListenAddress {
        func problem() -> ConfigurationProblem {
            ConfigurationProblem(
                "NODE_AGENT_LISTEN must be <ip>:<port> or a port (loopback), e.g. 127.0.0.1:26680, got "
                    + GoDuration.goQuote(text)
            )
        }
        var host = "127.0.0.1"
        var portText = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            var literal = text[..<colon]
            portText = text[text.index(after: colon)...]
            if literal.hasPrefix("["), literal.hasSuffix("]") {
                literal = literal.dropFirst().dropLast()
            } else if literal.contains(":") {
                throw problem()  // IPv6 needs brackets
            }
            if !literal.isEmpty { host = String(literal) }
        }
        guard let port = UInt16(portText), port > 0, isIPLiteral(host) else { throw problem() }
        return ListenAddress(host: host, port: port)
    }

    private static func isIPLiteral(_ host: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
    }
}
