/// One hop of a `ProxyJump` list: `[user@]host[:port]`, as OpenSSH's `-J` takes it.
///
/// The host may be an alias that `~/.ssh/config` resolves (its own `HostName`, `User`, `Port`,
/// `IdentityFile`); a user or port written in the hop beats the config's.
///
/// ```swift
/// let hops = try JumpHop.parseList("ops@bastion:2222,inner")   // two hops
/// let none = try JumpHop.parseList("none")                      // [] : connect directly
/// ```
public struct JumpHop: Sendable, Hashable, CustomStringConvertible {
    /// The login user on the bastion, when the hop names one.
    public var user: String?
    /// The bastion's name or address (an ssh config alias is allowed).
    public var host: String
    /// The bastion's sshd port, when the hop names one.
    public var port: Int?

    /// Creates a hop; nil user or port means "from the config, else the default".
    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// `user@host:port` with the parts that are set (IPv6 addresses with a port in brackets).
    public var description: String {
        let name = port != nil && host.contains(":") ? "[\(host)]" : host
        return (user.map { $0 + "@" } ?? "") + name + (port.map { ":\($0)" } ?? "")
    }

    /// Why a `ProxyJump` value cannot be used.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The whole value as written.
        public var value: String
        /// What is wrong with it.
        public var reason: String
        public var description: String { "ProxyJump \"\(value)\": \(reason)" }
    }

    /// Parses a comma-separated `ProxyJump` value, first hop first; `none` (any case) gives `[]`.
    ///
    /// Each hop is `[user@]host[:port]` or `ssh://[user@]host[:port]`; an IPv6 address takes a port
    /// only in brackets (`[fd00::1]:22`). The user ends at the last `@`, as in OpenSSH.
    /// - Throws: ``ParseError`` for an empty hop, an empty host or user, or a port outside 1...65535.
    public static func parseList(_ value: String) throws(ParseError) -> [JumpHop] {
        let trimmed = value.trimmingInventoryBlanks()
        if trimmed.lowercased() == "none" { return [] }
        var hops: [JumpHop] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            hops.append(try parse(part.trimmingInventoryBlanks(), in: value))
        }
        return hops
    }

    private static func parse(_ text: String, in value: String) throws(ParseError) -> JumpHop {
        func fail(_ reason: String) -> ParseError { ParseError(value: value, reason: reason) }
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("ssh://") {
            rest = rest.dropFirst("ssh://".count)
            if rest.hasSuffix("/") { rest = rest.dropLast() }
        }
        guard !rest.isEmpty else { throw fail("a hop is empty (two commas, or a comma at an end)") }
        if rest.contains(where: { $0 == " " || $0 == "\t" }) { throw fail("the hop \"\(text)\" contains a blank") }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user!.isEmpty { throw fail("the hop \"\(text)\" has an empty user before @") }
        }
        var host = String(rest)
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("the hop \"\(text)\" has no closing ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after ] in \"\(text)\"") }
                port = try parsePort(after.dropFirst(), hop: text, fail: fail)
            }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            port = try parsePort(rest[rest.index(after: colon)...], hop: text, fail: fail)
        }
        guard !host.isEmpty else { throw fail("the hop \"\(text)\" has no host") }
        return JumpHop(user: user, host: host, port: port)
    }

    private static func parsePort(
        _ text: Substring, hop: String, fail: (String) -> ParseError
    ) throws(ParseError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw fail("the port \"\(text)\" in \"\(hop)\" is not a number in 1...65535")
        }
        return port
    }
}
