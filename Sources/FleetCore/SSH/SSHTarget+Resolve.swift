extension SSHTarget {
    /// Values for one host taken from the inventory; each one set here beats `~/.ssh/config`.
    public struct InventoryOverrides: Sendable, Hashable {
        /// `ansible_host`.
        public var host: String?
        /// `ansible_port`.
        public var port: Int?
        /// `ansible_user`.
        public var user: String?
        /// `ansible_ssh_private_key_file`.
        public var identityFile: String?

        /// Creates overrides; nil means "not set in the inventory".
        public init(host: String? = nil, port: Int? = nil, user: String? = nil, identityFile: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.identityFile = identityFile
        }
    }

    /// Facts about the local side that FleetCore must not look up itself.
    public struct ClientEnvironment: Sendable, Hashable {
        /// The local home directory, for `~` and the default key and known_hosts paths.
        public var homeDirectory: String
        /// The local user name, the login user when nothing else says.
        public var localUser: String
        /// `SSH_AUTH_SOCK`, if set.
        public var agentSocket: String?
        /// A passphrase for encrypted keys (from an env var or a prompt), if any.
        public var passphrase: String?
        /// `--known-hosts`: beats `UserKnownHostsFile` and the default.
        public var knownHostsFile: String?
        /// `--accept-new-host-keys`.
        public var acceptNewHostKeys: Bool

        /// Creates an environment; see the properties for meanings.
        public init(
            homeDirectory: String,
            localUser: String,
            agentSocket: String? = nil,
            passphrase: String? = nil,
            knownHostsFile: String? = nil,
            acceptNewHostKeys: Bool = false
        ) {
            self.homeDirectory = homeDirectory
            self.localUser = localUser
            self.agentSocket = agentSocket
            self.passphrase = passphrase
            self.knownHostsFile = knownHostsFile
            self.acceptNewHostKeys = acceptNewHostKeys
        }
    }

    /// Builds the target for inventory host `alias`: inventory values, then `~/.ssh/config`, then defaults.
    ///
    /// Defaults: port 22, the local user, keys `~/.ssh/id_ed25519`, `~/.ssh/id_ecdsa`, `~/.ssh/id_rsa`
    /// (the last only so an RSA-only setup gets a clear error), known_hosts `~/.ssh/known_hosts`.
    /// `~`, `%d` (home), `%h` (host), `%r` (user) and `%%` are expanded in paths.
    ///
    /// - Parameters:
    ///   - alias: the inventory host name; matched against `Host` patterns.
    ///   - inventory: the host's inventory variables.
    ///   - config: the parsed `~/.ssh/config`, if the caller read one.
    ///   - client: local facts (home, user, agent socket, passphrase, CLI flags).
    /// - Returns: a target with the default timeouts.
    public static func resolve(
        alias: String,
        inventory: InventoryOverrides = .init(),
        config: SSHConfigFile? = nil,
        client: ClientEnvironment
    ) -> SSHTarget {
        let options = config?.options(for: alias) ?? SSHConfigFile.HostOptions()
        let host = inventory.host ?? options.hostName ?? alias
        let user = inventory.user ?? options.user ?? client.localUser
        let home = client.homeDirectory
        func expand(_ path: String) -> String {
            var path = path
            if path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
            return path.replacing("%%", with: "\u{0}").replacing("%d", with: home).replacing("%h", with: host)
                .replacing("%r", with: user).replacing("\u{0}", with: "%")
        }
        var keys: [String] = []
        if let file = inventory.identityFile { keys.append(expand(file)) }
        keys += options.identityFiles.map(expand)
        if keys.isEmpty { keys = ["id_ed25519", "id_ecdsa", "id_rsa"].map { home + "/.ssh/" + $0 } }
        let knownHosts = client.knownHostsFile ?? options.userKnownHostsFile.map(expand) ?? home + "/.ssh/known_hosts"
        let acceptNew = client.acceptNewHostKeys || options.acceptNew == true
        return SSHTarget(
            host: host,
            port: inventory.port ?? options.port ?? 22,
            user: user,
            identityFiles: keys,
            knownHostsFile: knownHosts,
            hostKeyPolicy: acceptNew ? .acceptNew : .strict,
            agentSocket: client.agentSocket,
            passphrase: client.passphrase
        )
    }
}
