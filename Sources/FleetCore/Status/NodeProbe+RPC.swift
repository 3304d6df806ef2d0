import Foundation

/// The probe's last section: the node RPC's `/status` answer, raw to the end of the output (no base64, so
/// no extra process on the node): `rpc-raw` is what `curl`/`wget` printed (the body, or their error),
/// `rpc-http` the whole HTTP answer bash read from `/dev/tcp`.
extension NodeProbe {
    /// Why the RPC gave no `/status` body, as shown in the status table.
    struct RPCAnswerError: Error, Sendable, Equatable {
        /// One line, bounded.
        var reason: String
    }

    /// The probe lines before the RPC section and the section's body (or why there is none); nil when
    /// the output has no RPC section.
    static func splitRPCSection(_ text: String) -> (lines: Substring, rpc: Result<String, RPCAnswerError>?) {
        for (marker, http) in [("\nrpc-raw\n", false), ("\nrpc-http\n", true)] {
            guard let range = text.range(of: marker) else { continue }
            let rest = text[range.upperBound...]
            return (text[..<range.lowerBound], http ? httpBody(rest) : .success(String(rest)))
        }
        return (text[...], nil)
    }

    /// The body of a successful HTTP/1.x answer, or a sentence naming what the RPC answered instead.
    static func httpBody(_ answer: Substring) -> Result<String, RPCAnswerError> {
        guard !answer.isEmpty else { return .failure(.init(reason: "no answer from the node RPC")) }
        let statusLine = answer.prefix { $0 != "\n" && $0 != "\r\n" }.trimmingCharacters(in: .whitespaces)
        let shown = String(statusLine.prefix(200))
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            return .failure(.init(reason: "the node RPC answered something other than HTTP: \(shown)"))
        }
        guard (200..<300).contains(code) else { return .failure(.init(reason: "the node RPC answered \(shown)")) }
        guard let end = answer.range(of: "\r\n\r\n") ?? answer.range(of: "\n\n") else {
            return .failure(.init(reason: "the node RPC's answer ended inside its headers (\(shown))"))
        }
        let headers = answer[..<end.lowerBound].lowercased()
        guard !headers.contains("transfer-encoding: chunked") else {
            return .failure(.init(reason: "the node RPC answered an HTTP/1.0 request with a chunked body"))
        }
        return .success(String(answer[end.upperBound...]))
    }
}
