/// A path-valued inventory variable (`daemon_home`, `agent_path`) as the node reads it: written as is, or
/// relative to the login user's home directory on the node.
///
/// Pure. Operators coming from Ansible write `~/.gaia` (Ansible's modules expand `~` on the node) or
/// `$HOME/.gaia` (cosmovisor's setup guide sets `DAEMON_HOME=$HOME/.gaia`). Those six forms are read:
/// `~`, `~/X`, `$HOME`, `$HOME/X`, `${HOME}`, `${HOME}/X`; anything else is taken as written. `~user`,
/// other shell variables (`$USER`, `${X}`, `$(cmd)`) and Ansible templates (`{{ … }}`, `{% … %}`) are
/// errors naming the host, the variable and the value: fleet does not guess what they would expand to.
///
/// ```swift
/// let path = try NodePath("~/.gaia", variable: "daemon_home", host: "val-1")   // .underHome(".gaia")
/// path.resolved(home: "/home/gaia")                                           // /home/gaia/.gaia
/// ```
public enum NodePath: Sendable, Hashable {
    /// The value as written (absolute, or relative to wherever the node's command runs).
    case literal(String)
    /// The login user's home joined with this rest (`""` for the home itself).
    case underHome(String)

    /// The longest home directory accepted from a node, in bytes.
    public static let maximumHomeBytes = 4096

    /// Reads `value`, the value of `variable` on `host` (both only for the error).
    /// - Throws: ``NodePathError`` for a template, `~user` or a shell variable other than `HOME`.
    public init(_ value: String, variable: String, host: String) throws(NodePathError) {
        func fail(_ kind: NodePathError.Kind) -> NodePathError {
            NodePathError(kind, host: host, variable: variable, value: value)
        }
        if Self.isTemplate(value) { throw fail(.template) }
        var rest: Substring
        if value.hasPrefix("~") {
            rest = value.dropFirst()
            guard rest.isEmpty || rest.hasPrefix("/") else { throw fail(.otherUser) }
        } else if let prefix = ["${HOME}", "$HOME"].first(where: { value.hasPrefix($0) }) {
            rest = value.dropFirst(prefix.count)
            guard rest.isEmpty || rest.hasPrefix("/") else { throw fail(.shellExpansion) }
        } else {
            guard !Self.hasExpansion(value[...]) else { throw fail(.shellExpansion) }
            self = .literal(value)
            return
        }
        rest = rest.drop { $0 == "/" }
        guard !Self.hasExpansion(rest) else { throw fail(.shellExpansion) }
        self = .underHome(String(rest))
    }

    /// Whether resolving needs the node's home directory.
    public var needsHome: Bool {
        if case .underHome = self { return true }
        return false
    }

    /// The path on the node, `home` being the login user's home there (absolute, as ``checkedHome(_:host:)`` returns).
    public func resolved(home: String) -> String {
        switch self {
        case .literal(let value):
            return value
        case .underHome(let rest):
            let base = home.count > 1 && home.hasSuffix("/") ? String(home.dropLast()) : home
            if rest.isEmpty { return base }
            return base.hasSuffix("/") ? base + rest : base + "/" + rest
        }
    }

    /// `value` of `variable` on `host` resolved against the node's `home`.
    public static func resolve(
        _ value: String, home: String, variable: String, host: String
    ) throws(NodePathError) -> String {
        try NodePath(value, variable: variable, host: host).resolved(home: home)
    }

    /// Whether `value` is an Ansible (Jinja) template: it holds `{{`, `{%` or `{#`.
    public static func isTemplate(_ value: String) -> Bool {
        value.contains("{{") || value.contains("{%") || value.contains("{#")
    }

    /// The home directory a node reported (the bytes of `printf %s "$HOME"`), when it is one: non-empty,
    /// at most ``maximumHomeBytes``, absolute, UTF-8 without control characters.
    /// - Throws: ``NodePathError`` of kind `.badHome` naming `host` and the (escaped, bounded) bytes.
    public static func checkedHome(_ bytes: [UInt8], host: String) throws(NodePathError) -> String {
        let shown = TerminalText.escaped(bytes: bytes, limit: 200)
        guard !bytes.isEmpty, bytes.count <= maximumHomeBytes, bytes.first == UInt8(ascii: "/"),
            !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }),
            let home = String(validating: bytes, as: UTF8.self)
        else { throw NodePathError(.badHome, host: host, variable: "HOME", value: shown) }
        return home
    }

    /// Whether `text` holds what a shell would expand: `$` before a name, `{` or `(`.
    private static func hasExpansion(_ text: Substring) -> Bool {
        var dollar = false
        for byte in text.utf8 {
            if dollar
                && (byte == UInt8(ascii: "_") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "(")
                    || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte))
            {
                return true
            }
            dollar = byte == UInt8(ascii: "$")
        }
        return false
    }
}
