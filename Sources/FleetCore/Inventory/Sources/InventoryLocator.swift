/// Finds the inventory as `fleet` and Ansible do, first answer wins:
///
/// 1. `-i` (each value one source, as `ansible -i a -i b`);
/// 2. `FLEET_INVENTORY` (a comma list of paths);
/// 3. `ANSIBLE_INVENTORY` (a comma list of paths, relative to the working directory);
/// 4. `inventory =` in the `[defaults]` section of the first ansible.cfg that exists of `ANSIBLE_CONFIG`
///    (a file, or a directory holding `ansible.cfg`), `./ansible.cfg` (skipped when the working directory is
///    world-writable, as Ansible does), `~/.ansible.cfg`, `/etc/ansible/ansible.cfg`. Only that first file
///    is read, as Ansible does; its comma list's relative paths are relative to the file's directory;
/// 5. `./inventory.yml`, `./inventory.yaml`, `./inventory.ini`, the first that exists (else the first).
///
/// `~` is expanded everywhere. Pure: the environment and the file system come in as an ``Environment``.
public enum InventoryLocator {
    /// What the locator may look at.
    public struct Environment: Sendable {
        /// The process environment.
        public var variables: [String: String]
        /// The working directory (absolute).
        public var currentDirectory: String
        /// The home directory, for `~`.
        public var homeDirectory: String
        /// Whether a regular file or directory exists and is readable at a path.
        public var exists: @Sendable (String) -> Bool
        /// Whether a path is a directory.
        public var isDirectory: @Sendable (String) -> Bool
        /// Whether a directory is world-writable (Ansible then ignores its `ansible.cfg`).
        public var isWorldWritable: @Sendable (String) -> Bool
        /// A file's text, nil when unreadable.
        public var read: @Sendable (String) -> String?

        /// Creates an environment; see the properties.
        public init(
            variables: [String: String],
            currentDirectory: String,
            homeDirectory: String,
            exists: @escaping @Sendable (String) -> Bool,
            isDirectory: @escaping @Sendable (String) -> Bool,
            isWorldWritable: @escaping @Sendable (String) -> Bool,
            read: @escaping @Sendable (String) -> String?
        ) {
            self.variables = variables
            self.currentDirectory = currentDirectory
            self.homeDirectory = homeDirectory
            self.exists = exists
            self.isDirectory = isDirectory
            self.isWorldWritable = isWorldWritable
            self.read = read
        }
    }

    /// The default inventory file names, tried in the working directory.
    public static let defaultFiles = ["inventory.yml", "inventory.yaml", "inventory.ini"]

    /// Where the inventory is.
    ///
    /// - Parameters:
    ///   - options: the `-i` values, in order (empty when not given).
    ///   - environment: the process's view of the world.
    public static func locate(options: [String], environment: Environment) -> InventoryLocation {
        let env = environment
        if !options.isEmpty {
            return InventoryLocation(sources: options.map { expand($0, home: env.homeDirectory) }, origin: .option)
        }
        if let list = nonEmpty(env.variables["FLEET_INVENTORY"]) {
            return InventoryLocation(sources: pathList(list, base: nil, env), origin: .fleetEnvironment)
        }
        if let list = nonEmpty(env.variables["ANSIBLE_INVENTORY"]) {
            return InventoryLocation(sources: pathList(list, base: nil, env), origin: .ansibleEnvironment)
        }
        if let config = configFile(env), let text = env.read(config),
            let list = nonEmpty(AnsibleConfig.value(of: "inventory", in: "defaults", text: text))
        {
            return InventoryLocation(
                sources: pathList(list, base: directory(of: config), env), origin: .ansibleConfig(config))
        }
        let file = defaultFiles.first { env.exists($0) } ?? defaultFiles[0]
        return InventoryLocation(sources: [file], origin: .defaultFile)
    }

    /// The ansible.cfg Ansible would use, or nil.
    public static func configFile(_ env: Environment) -> String? {
        var candidates: [String] = []
        if let fromEnvironment = nonEmpty(env.variables["ANSIBLE_CONFIG"]) {
            let path = absolute(expand(fromEnvironment, home: env.homeDirectory), base: env.currentDirectory)
            candidates.append(env.isDirectory(path) ? path + "/ansible.cfg" : path)
        }
        if !env.isWorldWritable(env.currentDirectory) {
            candidates.append(join(env.currentDirectory, "ansible.cfg"))
        }
        candidates.append(join(env.homeDirectory, ".ansible.cfg"))
        candidates.append("/etc/ansible/ansible.cfg")
        return candidates.first { env.exists($0) && !env.isDirectory($0) }
    }

    // MARK: - Paths

    /// A comma list of paths: blanks trimmed, empties dropped, `~` expanded, relative ones under `base`
    /// (the config file's directory) or kept relative to the working directory when `base` is nil.
    private static func pathList(_ list: String, base: String?, _ env: Environment) -> [String] {
        list.split(separator: ",").compactMap { item in
            let path = item.trimmingInventoryBlanks()
            guard !path.isEmpty else { return nil }
            let expanded = expand(String(path), home: env.homeDirectory)
            return base.map { absolute(expanded, base: $0) } ?? expanded
        }
    }

    /// `~` and `~/x` with the home directory.
    static func expand(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return join(home, String(path.dropFirst(2))) }
        return path
    }

    private static func absolute(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : join(base, path)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.trimmingInventoryBlanks().isEmpty else { return nil }
        return value
    }
}
