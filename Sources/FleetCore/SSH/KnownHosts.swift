public import Foundation
import Crypto

/// The entries of an OpenSSH known_hosts file, parsed by us line by line.
///
/// Understands plain host lists (`a,b,[c]:2222`, wildcards, `!negation`), hashed hosts
/// (`|1|salt|hmac`, HMAC-SHA1 of the host with the salt), `@revoked` lines and comments. Lines we
/// cannot use (`@cert-authority`, unknown markers, bad base64, truncated lines) are recorded in
/// `skipped` and never hide the lines after them.
///
/// ```swift
/// let knownHosts = KnownHosts.parse(try String(contentsOfFile: path, encoding: .utf8))
/// let entries = knownHosts.entries(for: "10.0.0.5", port: 2222)
/// ```
public struct KnownHosts: Sendable, Hashable {
    /// How a line names its hosts.
    public enum Hosts: Sendable, Hashable {
        /// A comma-separated pattern list, as written.
        case patterns([String])
        /// `|1|salt|hash`: HMAC-SHA1 of the host name keyed with the salt.
        case hashed(salt: Data, hash: Data)
    }

    /// One usable line.
    public struct Entry: Sendable, Hashable {
        /// 1-based line number in the file.
        public var line: Int
        /// Whether the line starts with `@revoked`.
        public var revoked: Bool
        /// The hosts the line is for.
        public var hosts: Hosts
        /// The key on the line.
        public var key: SSHHostKey
    }

    /// A line that was not used, and why.
    public struct SkippedLine: Sendable, Hashable {
        /// 1-based line number.
        public var line: Int
        /// Why it was skipped.
        public var reason: String
    }

    /// The usable entries, in file order.
    public var entries: [Entry]
    /// Lines that were neither blank, comments nor usable entries.
    public var skipped: [SkippedLine]

    /// Parses known_hosts text; never fails, unusable lines land in `skipped`.
    public static func parse(_ text: String) -> KnownHosts {
        var result = KnownHosts(entries: [], skipped: [])
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            switch parseLine(line, number: number) {
            case .entry(let entry): result.entries.append(entry)
            case .skipped(let skip): result.skipped.append(skip)
            }
        }
        return result
    }

    /// The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise.
    public static func lookupName(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The line accept-new appends for a host: `name type base64`.
    public static func line(host: String, port: Int, key: SSHHostKey) -> String {
        "\(lookupName(host: host, port: port)) \(key.knownHostsText)"
    }

    /// The entries (revoked or not) whose hosts match `host` on `port`.
    public func entries(for host: String, port: Int) -> [Entry] {
        let name = Self.lookupName(host: host, port: port)
        return entries.filter { $0.hosts.matches(name) }
    }

    // MARK: - Line parsing

    private enum ParsedLine {
        case entry(Entry)
        case skipped(SkippedLine)
    }

    private static func parseLine(_ line: String, number: Int) -> ParsedLine {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var revoked = false
        if let first = fields.first, first.hasPrefix("@") {
            switch first {
            case "@revoked": revoked = true
            case "@cert-authority": return .skipped(SkippedLine(line: number, reason: "@cert-authority is not supported"))
            default: return .skipped(SkippedLine(line: number, reason: "unknown marker \(first)"))
            }
            fields.removeFirst()
        }
        guard fields.count >= 3 else {
            return .skipped(SkippedLine(line: number, reason: "expected hosts, key type and key"))
        }
        guard let blob = Data(base64Encoded: fields[2]), let key = SSHHostKey(blob: blob) else {
            return .skipped(SkippedLine(line: number, reason: "the key is not valid base64 of an SSH key"))
        }
        guard key.type == fields[1] else {
            return .skipped(SkippedLine(line: number, reason: "key type \(fields[1]) does not match the key (\(key.type))"))
        }
        guard let hosts = parseHosts(fields[0]) else {
            return .skipped(SkippedLine(line: number, reason: "malformed hashed host"))
        }
        return .entry(Entry(line: number, revoked: revoked, hosts: hosts, key: key))
    }

    private static func parseHosts(_ field: String) -> Hosts? {
        guard field.hasPrefix("|") else {
            return .patterns(field.split(separator: ",").map(String.init))
        }
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "1",
            let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
            hash.count == Insecure.SHA1.byteCount
        else { return nil }
        return .hashed(salt: salt, hash: hash)
    }
}

extension KnownHosts.Hosts {
    /// Whether the OpenSSH lookup name (`host` or `[host]:port`) is covered by this host field.
    public func matches(_ lookupName: String) -> Bool {
        switch self {
        case .patterns(let patterns):
            return HostPattern.matches(lookupName, patterns: patterns)
        case .hashed(let salt, let hash):
            let mac = HMAC<Insecure.SHA1>.authenticationCode(
                for: Data(lookupName.lowercased().utf8), using: SymmetricKey(data: salt))
            return Data(mac) == hash
        }
    }
}
