/// Why a path variable cannot be resolved on the node, naming the host, the variable and its value.
public struct NodePathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the value.
    public enum Kind: Sendable, Hashable {
        /// `{{ … }}`, `{% … %}` or `{# … #}`: fleet does not evaluate Ansible templates.
        case template
        /// `~user/…` (or `~+`, `~-`): another user's home.
        case otherUser
        /// A shell variable other than a leading `$HOME`/`${HOME}`, or a command substitution.
        case shellExpansion
        /// The node's `$HOME` is empty, too long, relative or holds control characters.
        case badHome
    }

    /// What is wrong.
    public let kind: Kind
    /// The inventory host (or SSH host, for `.badHome`).
    public let host: String
    /// The variable, such as `daemon_home`.
    public let variable: String
    /// The value as written (for `.badHome`, the node's reply, escaped).
    public let value: String

    /// Creates an error.
    public init(_ kind: Kind, host: String, variable: String, value: String) {
        self.kind = kind
        self.host = host
        self.variable = variable
        self.value = value
    }

    /// The sentence without the host.
    public var message: String {
        let what = "\(variable) '\(value)'"
        let written = InventoryHost.nodePathVariables.contains(variable) ? "the path" : "the value"
        switch kind {
        case .template:
            return "\(what) is an Ansible template; fleet does not evaluate templates: write \(written)"
        case .otherUser:
            return "\(what) names another user's home; fleet reads only ~ (the login user's home on the node): "
                + "write the absolute path"
        case .shellExpansion:
            return "\(what) needs shell expansion fleet does not do; fleet reads only ~, ~/…, $HOME, $HOME/…, "
                + "${HOME} and ${HOME}/… (the login user's home on the node): write the path"
        case .badHome:
            return "the node's home directory ($HOME = '\(value)') is not an absolute path without control characters "
                + "of at most \(NodePath.maximumHomeBytes) bytes"
        }
    }

    /// `<host>: <message>`.
    public var description: String { "\(host): \(message)" }
}
