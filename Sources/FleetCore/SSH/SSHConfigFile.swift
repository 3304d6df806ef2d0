import Foundation

/// The subset of OpenSSH's `~/.ssh/config` that fleet honours, parsed from text.
///
/// Supported keywords: `Host` (patterns with `*`, `?`, `!`), `HostName`, `User`, `Port`,
/// `IdentityFile` (accumulates), `UserKnownHostsFile` and `GlobalKnownHostsFile` (each a list of
/// files), `HostKeyAlias`, `StrictHostKeyChecking` (only `accept-new` relaxes anything; every
/// other value stays strict), `ProxyJump` and `ProxyCommand` (read only to be refused).
/// As in OpenSSH, the first value obtained for a keyword wins, and `ProxyJump` and `ProxyCommand`
/// compete: whichever applies first wins. `Match` blocks are skipped (their lines are listed in
/// ``matchLines`` so the caller can say so once), `Include` too; other keywords are ignored.
///
/// ```swift
/// let config = SSHConfigFile.parse(text)
/// let options = config.options(for: "validator-1")
/// ```
public struct SSHConfigFile: Sendable, Hashable {
    /// One `Host` block (or the lines before the first one, with pattern `*`).
    public struct Block: Sendable, Hashable {
        /// The `Host` patterns; empty for a `Match` block, which never applies.
        public var patterns: [String]
        /// `(lowercased keyword, value)` pairs in file order.
        public var options: [Option]
    }

    /// One `Keyword value` line.
    public struct Option: Sendable, Hashable {
        /// The keyword, lowercased.
        public var keyword: String
        /// The value, unquoted.
        public var value: String
        /// The 1-based line number in the file.
        public var line: Int
    }

    /// What the file says about one host alias.
    public struct HostOptions: Sendable, Hashable {
        /// `HostName`, with `%h` expanded to the alias.
        public var hostName: String?
        /// `User`.
        public var user: String?
        /// `Port`.
        public var port: Int?
        /// Every `IdentityFile` that applies, in order (tokens not yet expanded).
        public var identityFiles: [String] = []
        /// `UserKnownHostsFile`: every file it lists (tokens not yet expanded).
        public var userKnownHostsFiles: [String]?
        /// `GlobalKnownHostsFile`: every file it lists (tokens not yet expanded).
        public var globalKnownHostsFiles: [String]?
        /// `HostKeyAlias`.
        public var hostKeyAlias: String?
        /// True when `StrictHostKeyChecking accept-new` applies.
        public var acceptNew: Bool?
        /// The first `ProxyJump` or `ProxyCommand` that applies.
        public var proxy: ProxySetting?
    }

    /// The blocks, in file order.
    public var blocks: [Block]
    /// The lines that open a `Match` block, which fleet ignores.
    public var matchLines: [Int] = []
    /// How the file is named in messages (`~/.ssh/config`).
    public var displayName = "~/.ssh/config"

    /// Parses config text; unknown keywords are kept, malformed lines are ignored.
    /// - Parameter displayName: how messages name the file.
    public static func parse(_ text: String, displayName: String = "~/.ssh/config") -> SSHConfigFile {
        var blocks = [Block(patterns: ["*"], options: [])]
        var matchLines: [Int] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated()
        {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let (keyword, value) = splitKeyword(line) else { continue }
            switch keyword {
            case "host": blocks.append(Block(patterns: words(value), options: []))
            case "match":
                blocks.append(Block(patterns: [], options: []))
                matchLines.append(index + 1)
            default:
                blocks[blocks.count - 1].options.append(
                    Option(keyword: keyword, value: unquote(value), line: index + 1))
            }
        }
        return SSHConfigFile(blocks: blocks, matchLines: matchLines, displayName: displayName)
    }

    /// The note to show once when the file has `Match` blocks, else nil.
    public var matchNote: String? {
        guard !matchLines.isEmpty else { return nil }
        let lines = matchLines.map(String.init).joined(separator: ", ")
        return "note: \(displayName): Match blocks (line\(matchLines.count == 1 ? "" : "s") \(lines)) are ignored; "
            + "fleet applies Host blocks only"
    }

    /// The options that apply to `alias`, first value winning.
    public func options(for alias: String) -> HostOptions {
        var result = HostOptions()
        for block in blocks where HostPattern.matches(alias, patterns: block.patterns) {
            for option in block.options {
                switch option.keyword {
                case "hostname" where result.hostName == nil:
                    result.hostName = option.value.replacing("%h", with: alias)
                case "user" where result.user == nil:
                    result.user = option.value
                case "port" where result.port == nil:
                    result.port = Int(option.value)
                case "identityfile":
                    result.identityFiles.append(option.value)
                case "userknownhostsfile" where result.userKnownHostsFiles == nil:
                    result.userKnownHostsFiles = Self.words(option.value)
                case "globalknownhostsfile" where result.globalKnownHostsFiles == nil:
                    result.globalKnownHostsFiles = Self.words(option.value)
                case "hostkeyalias" where result.hostKeyAlias == nil:
                    result.hostKeyAlias = option.value
                case "stricthostkeychecking" where result.acceptNew == nil:
                    result.acceptNew = option.value.lowercased() == "accept-new"
                case "proxyjump" where result.proxy == nil:
                    result.proxy = .proxyJump(option.value, origin: "\(displayName) line \(option.line)")
                case "proxycommand" where result.proxy == nil:
                    result.proxy = .proxyCommand(option.value, origin: "\(displayName) line \(option.line)")
                default:
                    break
                }
            }
        }
        return result
    }

    // MARK: - Lexing

    private static func splitKeyword(_ line: String) -> (String, String)? {
        guard let end = line.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else { return nil }
        let keyword = line[..<end].lowercased()
        var rest = line[end...].drop(while: { $0 == " " || $0 == "\t" })
        if rest.first == "=" { rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" }) }
        let value = String(rest).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : (keyword, value)
    }

    private static func words(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { unquote(String($0)) }
    }

    private static func unquote(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")
            ? String(value.dropFirst().dropLast()) : value
    }
}
