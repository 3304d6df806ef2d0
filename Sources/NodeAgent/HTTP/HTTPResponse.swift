/// One HTTP/1.1 answer, always `Connection: close`.
struct HTTPResponse: Sendable, Equatable {
    var status: Int
    var contentType = "text/plain; charset=utf-8"
    var body: [UInt8]
    var headers: [(String, String)] = []
    /// HEAD: the headers of the GET answer, no body.
    var omitBody = false

    init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = Array(body.utf8)
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0): \($0.1)" } == rhs.headers.map { "\($0.0): \($0.1)" }
            && lhs.omitBody == rhs.omitBody
    }

    /// The reason phrase of the statuses the listener uses.
    var reason: String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }

    /// Status line, headers and body.
    var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        head += "Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + (omitBody ? [] : body)
    }
}
