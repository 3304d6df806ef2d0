/// How one host's SSH stream is proxied, as `ProxyJump` / `ProxyCommand` say, and where that was set.
///
/// Read from `~/.ssh/config` (``SSHConfigFile``) or from the Ansible variables `ansible_ssh_common_args`
/// and `ansible_ssh_extra_args` (``fromSSHArguments(_:origin:)``). Only `ProxyJump` is carried out;
/// `ProxyCommand` is refused, never run.
public struct ProxySetting: Sendable, Hashable {
    /// What the setting asks for.
    public enum Kind: Sendable, Hashable {
        /// `ProxyJump none` or `ProxyCommand none`: connect directly.
        case direct
        /// `ProxyJump` with these hops, first hop first (never empty).
        case jump([JumpHop])
        /// `ProxyCommand`: refused.
        case command
        /// A value that cannot be used, and why.
        case invalid(reason: String)
    }

    /// What is asked for.
    public var kind: Kind
    /// Where it was set, for messages: `~/.ssh/config line 12`, `ansible_ssh_common_args`.
    public var origin: String

    /// Creates a setting.
    public init(_ kind: Kind, origin: String) {
        self.kind = kind
        self.origin = origin
    }

    /// The setting for a `ProxyJump` value (`none`, or hops).
    public static func proxyJump(_ value: String, origin: String) -> ProxySetting {
        do throws(JumpHop.ParseError) {
            let hops = try JumpHop.parseList(value)
            return ProxySetting(hops.isEmpty ? .direct : .jump(hops), origin: origin)
        } catch {
            return ProxySetting(.invalid(reason: error.description), origin: origin)
        }
    }

    /// The setting for a `ProxyCommand` value: `none` connects directly, anything else is refused.
    public static func proxyCommand(_ value: String, origin: String) -> ProxySetting {
        ProxySetting(value.trimmingInventoryBlanks().lowercased() == "none" ? .direct : .command, origin: origin)
    }

    /// The first `ProxyJump` or `ProxyCommand` in ssh command-line arguments, as ssh itself reads them.
    ///
    /// `text` is split into shell words as Ansible does (`shlex.split`), then read with ssh's option
    /// syntax: `-J hops`, `-Jhops`, `-o ProxyJump=hops`, `-oProxyJump=hops`, `-o 'ProxyJump hops'`,
    /// `-o ProxyCommand=…`; option letters may be grouped (`-tJ hops`). As in ssh, the first value
    /// wins, and `-J` is the same as `-o ProxyJump`.
    /// - Returns: nil when the arguments set neither option.
    public static func fromSSHArguments(_ text: String, origin: String) -> ProxySetting? {
        let words: [String]
        do throws(INIShellWords.UnterminatedQuote) {
            words = try INIShellWords.split(text, comments: false).words.map(\.text)
        } catch {
            return ProxySetting(
                .invalid(reason: "a quote opened at column \(error.column) is never closed"), origin: origin)
        }
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("-"), word.count > 1, word != "--" else { continue }
            var letters = Substring(word.dropFirst())
            while let letter = letters.first {
                letters = letters.dropFirst()
                guard Self.lettersTakingValue.contains(letter) else { continue }
                var value = String(letters)
                if value.isEmpty, index < words.count {
                    value = words[index]
                    index += 1
                }
                if letter == "J" { return proxyJump(value, origin: origin) }
                if letter == "o", let setting = fromOption(value, origin: origin) { return setting }
                break
            }
        }
        return nil
    }

    /// ssh's options that take a value (`man ssh`): the value is the rest of the word or the next word.
    private static let lettersTakingValue = Set("bcDeEFIiJLlmOoPpQRSWw".map { $0 })

    /// `ProxyJump=…`, `ProxyJump …` or `ProxyCommand=…` from a `-o` value; nil for any other option.
    private static func fromOption(_ option: String, origin: String) -> ProxySetting? {
        guard let end = option.firstIndex(where: { $0 == "=" || $0 == " " || $0 == "\t" }) else { return nil }
        let keyword = option[..<end].lowercased()
        var value = option[end...].drop(while: { $0 == " " || $0 == "\t" })
        if value.first == "=" { value = value.dropFirst() }
        let text = value.trimmingInventoryBlanks()
        let unquoted =
            text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
        switch keyword {
        case "proxyjump": return proxyJump(unquoted, origin: origin)
        case "proxycommand": return proxyCommand(unquoted, origin: origin)
        default: return nil
        }
    }
}
