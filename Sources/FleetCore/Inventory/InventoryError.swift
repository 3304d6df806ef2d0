/// Why an inventory could not be read, parsed, resolved or matched, and where.
///
/// Every error names the file and, when the problem has a position, the 1-based line and column,
/// so ``description`` reads like a compiler diagnostic:
///
/// ```
/// inventory.ini:12:5: unterminated quote in value of 'daemon_home'
/// ```
///
/// Equality compares ``code`` only (house style); check the kind with `error.code == .badRange` and read
/// ``line``, ``column`` and ``message`` for the details.
public struct InventoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem; extensible, compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Storage: String, Sendable, Hashable {
            case unreadableFile = "unreadable file"
            case yamlSyntax = "YAML syntax"
            case yamlShape = "YAML shape"
            case unterminatedQuote = "unterminated quote"
            case unknownSectionType = "unknown section type"
            case malformedLine = "malformed line"
            case duplicateVariable = "duplicate variable"
            case undefinedGroup = "undefined group"
            case childCycle = "children cycle"
            case badRange = "bad host range"
            case invalidPort = "invalid port"
            case invalidRole = "invalid fleet_role"
            case invalidPattern = "invalid pattern"
            case noMatch = "pattern matches nothing"
            case inventoryScript = "inventory script"
            case listingShape = "inventory listing shape"
            case template = "Ansible template"
            case nodePath = "node path"
        }

        private let storage: Storage

        private init(_ storage: Storage) {
            self.storage = storage
        }

        /// The inventory file, a `group_vars`/`host_vars` file or directory could not be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// YAML that libyaml (through Yams) rejects; the position is Yams' line and column.
        public static let yamlSyntax = Code(.yamlSyntax)
        /// Valid YAML in a shape Ansible does not accept, such as `hosts` written as a list.
        public static let yamlShape = Code(.yamlShape)
        /// A quote opened in an INI line is never closed.
        public static let unterminatedQuote = Code(.unterminatedQuote)
        /// An INI section `[name:type]` whose type is not `vars`, `children` or `hosts`.
        public static let unknownSectionType = Code(.unknownSectionType)
        /// An INI line that is not what its section expects (a `key=value`, a header, a group name).
        public static let malformedLine = Code(.malformedLine)
        /// The same variable given twice on one host line.
        public static let duplicateVariable = Code(.duplicateVariable)
        /// `[g:vars]` for a group that no section or `children` list defines.
        public static let undefinedGroup = Code(.undefinedGroup)
        /// A group that is, through `children`, its own descendant.
        public static let childCycle = Code(.childCycle)
        /// A host range such as `[10:01]`, `[a:9]` or `[1:5:0]`.
        public static let badRange = Code(.badRange)
        /// `ansible_port` that is not an integer in 1...65535.
        public static let invalidPort = Code(.invalidPort)
        /// `fleet_role` that is not `validator`, `sentry` or `full`.
        public static let invalidRole = Code(.invalidRole)
        /// A `--limit` pattern that cannot be read, such as an invalid `~regex` or an empty pattern.
        public static let invalidPattern = Code(.invalidPattern)
        /// A `--limit` pattern part that names no host and no group.
        public static let noMatch = Code(.noMatch)
        /// A dynamic-inventory executable that cannot start, exits non-zero, times out or prints too much.
        public static let inventoryScript = Code(.inventoryScript)
        /// JSON from a dynamic inventory or `ansible-inventory --list` in a shape Ansible does not accept.
        public static let listingShape = Code(.listingShape)
        /// An Ansible template (`{{ … }}`, `{% … %}`) in a variable fleet reads: fleet does not evaluate them.
        public static let template = Code(.template)
        /// A `daemon_home`/`agent_path` that names another user's home (`~user`) or needs a shell variable
        /// other than `$HOME` (see ``NodePath``).
        public static let nodePath = Code(.nodePath)

        /// A short name of the kind, such as `bad host range`.
        public var description: String { storage.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The file the problem is in (as given to the parser or loader), or `""` for a `--limit` pattern.
    public let file: String
    /// 1-based line, when the problem has a position.
    public let line: Int?
    /// 1-based column (in characters), when the problem has a position.
    public let column: Int?
    /// One sentence for the person at the terminal, without the location prefix.
    public let message: String

    /// Creates an error; most code uses the location-taking initializer below.
    public init(code: Code, file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, leaving out the parts that are unknown.
    public var description: String {
        var prefix = file
        if let line {
            prefix += prefix.isEmpty ? "\(line)" : ":\(line)"
            if let column { prefix += ":\(column)" }
        }
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }

    /// Compares the codes only.
    public static func == (lhs: InventoryError, rhs: InventoryError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes the code only, consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }
}
