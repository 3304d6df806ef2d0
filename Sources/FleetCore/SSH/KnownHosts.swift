public import Foundation
import Crypto

/// The entries of OpenSSH known_hosts files, parsed by us line by line.
///
/// Understands plain host lists (`a,b,[c]:2222`, wildcards, `!negation`), hashed hosts
/// (`|1|salt|hmac`, HMAC-SHA1 of the host with the salt), `@revoked` lines and comments, with LF or
/// CRLF line ends and any blanks around the fields, as OpenSSH does. Lines we cannot use
/// (`@cert-authority`, unknown markers, bad base64, truncated lines) are recorded in `skipped`,
/// with the hosts they name when that part is readable, and never hide the lines after them.
///
/// ```swift
/// let knownHosts = KnownHosts.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
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
        /// The file the line is in.
        public var file: String
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
        /// What is wrong with a skipped line.
        public enum Problem: Sendable, Hashable {
            /// `@cert-authority`: host certificates are not supported.
            case certAuthority
            /// A marker other than `@revoked` and `@cert-authority`.
            case unknownMarker(String)
            /// Fewer than three fields.
            case missingFields
            /// The key field is not base64 of an SSH key.
            case badKey
            /// The key type field disagrees with the type inside the key.
            case keyTypeMismatch(written: String, actual: String)
            /// A `|…` host field that is not `|1|salt|hash`.
            case malformedHashedHost
        }

        /// The file the line is in.
        public var file: String
        /// 1-based line number.
        public var line: Int
        /// Why it was skipped.
        public var problem: Problem
        /// The hosts the line names, when that field could be read.
        public var hosts: Hosts?

        /// Why it was skipped, in words.
        public var reason: String {
            switch problem {
            case .certAuthority: "@cert-authority (host certificates) is not supported by fleet"
            case .unknownMarker(let marker): "unknown marker \(marker.prefix(40))"
            case .missingFields: "expected hosts, key type and key"
            case .badKey: "the key is not valid base64 of an SSH key"
            case .keyTypeMismatch(let written, let actual):
                "key type \(written.prefix(40)) does not match the key (\(actual.prefix(40)))"
            case .malformedHashedHost: "malformed hashed host"
            }
        }

        /// `file:line`, for messages.
        public var location: String { "\(file):\(line)" }
    }

    /// The usable entries, in file order.
    public var entries: [Entry]
    /// Lines that were neither blank, comments nor usable entries.
    public var skipped: [SkippedLine]

    /// Creates a parsed set from its parts (usually through ``parse(_:file:)`` and ``merged(with:)``).
    public init(entries: [Entry] = [], skipped: [SkippedLine] = []) {
        self.entries = entries
        self.skipped = skipped
    }

    /// Parses known_hosts text; never fails, unusable lines land in `skipped`. `file` labels the lines.
    public static func parse(_ text: String, file: String = "known_hosts") -> KnownHosts {
        var result = KnownHosts()
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
        for (index, rawLine) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let fields = rawLine.split(whereSeparator: blank).map { String(decoding: $0, as: UTF8.self) }
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            switch parseLine(fields, file: file, number: index + 1) {
            case .entry(let entry): result.entries.append(entry)
            case .skipped(let skip): result.skipped.append(skip)
            }
        }
        return result
    }

    /// The lines of both sets, `self` first (lookups search every file, as OpenSSH does).
    public func merged(with other: KnownHosts) -> KnownHosts {
        KnownHosts(entries: entries + other.entries, skipped: skipped + other.skipped)
    }

    /// The name OpenSSH looks up: the `HostKeyAlias` when set, else `host` on port 22, `[host]:port` otherwise.
    public static func lookupName(host: String, port: Int, alias: String? = nil) -> String {
        if let alias { return alias }
        return port == 22 ? host : "[\(host)]:\(port)"
    }

    /// The line accept-new appends: `name type base64`, or `|1|salt|hash type base64` when `salt` is given.
    public static func line(name: String, key: SSHHostKey, hashSalt salt: Data? = nil) -> String {
        guard let salt else { return "\(name) \(key.knownHostsText)" }
        let hash = Data(
            HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.lowercased().utf8), using: SymmetricKey(data: salt)))
        return "|1|\(salt.base64EncodedString())|\(hash.base64EncodedString()) \(key.knownHostsText)"
    }

    /// The entries (revoked or not) whose hosts match `host` on `port` (or `alias`, when set).
    public func entries(for host: String, port: Int, alias: String? = nil) -> [Entry] {
        let name = Self.lookupName(host: host, port: port, alias: alias)
        return entries.filter { $0.hosts.matches(name) }
    }

    /// The skipped lines whose readable host field matches `host` on `port` (or `alias`, when set).
    public func skippedLines(for host: String, port: Int, alias: String? = nil) -> [SkippedLine] {
        let name = Self.lookupName(host: host, port: port, alias: alias)
        return skipped.filter { $0.hosts?.matches(name) == true }
    }

    /// Whether any line of `file` names its hosts hashed (`|1|…`), so new lines there should be hashed too.
    public func usesHashedNames(in file: String) -> Bool {
        entries.contains { $0.file == file && $0.hosts.isHashed }
            || skipped.contains { $0.file == file && $0.hosts?.isHashed == true }
    }

    // MARK: - Line parsing

    private enum ParsedLine {
        case entry(Entry)
        case skipped(SkippedLine)
    }

    private static func parseLine(_ fields: [String], file: String, number: Int) -> ParsedLine {
        var fields = fields
        var revoked = false
        var marker: SkippedLine.Problem?
        if let first = fields.first, first.hasPrefix("@") {
            switch first {
            case "@revoked": revoked = true
            case "@cert-authority": marker = .certAuthority
            default: marker = .unknownMarker(first)
            }
            fields.removeFirst()
        }
        let hosts = fields.first.flatMap(parseHosts)
        func skip(_ problem: SkippedLine.Problem) -> ParsedLine {
            .skipped(SkippedLine(file: file, line: number, problem: problem, hosts: hosts))
        }
        if let marker { return skip(marker) }
        guard fields.count >= 3 else { return skip(.missingFields) }
        guard let blob = Data(base64Encoded: fields[2]), let key = SSHHostKey(blob: blob) else { return skip(.badKey) }
        guard key.type == fields[1] else { return skip(.keyTypeMismatch(written: fields[1], actual: key.type)) }
        guard let hosts else { return skip(.malformedHashedHost) }
        return .entry(Entry(file: file, line: number, revoked: revoked, hosts: hosts, key: key))
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

    /// Whether the field is `|1|salt|hash`.
    public var isHashed: Bool {
        if case .hashed = self { return true }
        return false
    }
}
