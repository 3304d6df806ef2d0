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
        /// `ansible_ssh_common_args`: read for `-J` / `-o ProxyJump` / `-o ProxyCommand`.
        public var sshCommonArgs: String?
        /// `ansible_ssh_extra_args`: read like `sshCommonArgs`, after it.
        public var sshExtraArgs: String?

        /// Creates overrides; nil means "not set in the inventory".
        public init(
            host: String? = nil,
            port: Int? = nil,
            user: String? = nil,
            identityFile: String? = nil,
            sshCommonArgs: String? = nil,
            sshExtraArgs: String? = nil
        ) {
            self.host = host
            self.port = port
            self.user = user
            self.identityFile = identityFile
            self.sshCommonArgs = sshCommonArgs
            self.sshExtraArgs = sshExtraArgs
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
        /// The global known_hosts files read when `GlobalKnownHostsFile` does not say otherwise
        /// (OpenSSH's `/etc/ssh/ssh_known_hosts` and `/etc/ssh/ssh_known_hosts2`; tests pass their own).
        public var globalKnownHostsFiles: [String]

        /// OpenSSH's default global known_hosts files.
        public static let defaultGlobalKnownHostsFiles = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]

        /// Creates an environment; see the properties for meanings.
        public init(
            homeDirectory: String,
            localUser: String,
            agentSocket: String? = nil,
            passphrase: String? = nil,
            knownHostsFile: String? = nil,
            acceptNewHostKeys: Bool = false,
            globalKnownHostsFiles: [String] = ClientEnvironment.defaultGlobalKnownHostsFiles
        ) {
            self.homeDirectory = homeDirectory
            self.localUser = localUser
            self.agentSocket = agentSocket
            self.passphrase = passphrase
            self.knownHostsFile = knownHostsFile
            self.acceptNewHostKeys = acceptNewHostKeys
            self.globalKnownHostsFiles = globalKnownHostsFiles
        }
    }

    /// Builds the target for inventory host `alias`: inventory values, then `~/.ssh/config`, then defaults.
    ///
    /// Defaults: port 22, the local user, keys `~/.ssh/id_ed25519`, `~/.ssh/id_ecdsa`, `~/.ssh/id_rsa`
    /// (the last only so an RSA-only setup gets a clear error), known_hosts `~/.ssh/known_hosts` (written
    /// under accept-new) and `~/.ssh/known_hosts2`, then the client's global files. `--known-hosts` replaces
    /// the user files, as `UserKnownHostsFile` does (`none` means no user file); `GlobalKnownHostsFile`
    /// replaces the global ones. `~`, `%d` (home), `%h` (host), `%p` (port), `%r` (user), `%u` (local user),
    /// `%n` (the alias), `%k` (`HostKeyAlias`, else the alias) and `%%` are expanded in paths.
    ///
    /// The route: `-J` / `-o ProxyJump` / `-o ProxyCommand` in `ansible_ssh_common_args`, then in
    /// `ansible_ssh_extra_args`, then the config's first `ProxyJump` or `ProxyCommand`. Each hop is
    /// resolved like a host (its own `Host` block gives `HostName`, `User`, `Port`, `IdentityFile`,
    /// known_hosts files; a user or port in the hop wins); the first hop's own `ProxyJump` puts more
    /// bastions in front of it, as with OpenSSH. `ProxyCommand` gives a `.refused` route.
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
        resolve(alias: alias, inventory: inventory, config: config, client: client, depth: 0)
    }

    /// ``resolve(alias:inventory:config:client:)`` at `depth` bastions below the inventory host.
    static func resolve(
        alias: String,
        inventory: InventoryOverrides,
        config: SSHConfigFile?,
        client: ClientEnvironment,
        depth: Int
    ) -> SSHTarget {
        let options = config?.options(for: alias) ?? SSHConfigFile.HostOptions()
        let host = inventory.host ?? options.hostName ?? alias
        let user = inventory.user ?? options.user ?? client.localUser
        let home = client.homeDirectory
        let port = inventory.port ?? options.port ?? 22
        func expand(_ path: String) -> String {
            var path = path
            if path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
            return path.replacing("%%", with: "\u{0}").replacing("%d", with: home).replacing("%h", with: host)
                .replacing("%p", with: String(port)).replacing("%r", with: user).replacing("%u", with: client.localUser)
                .replacing("%n", with: alias).replacing("%k", with: options.hostKeyAlias ?? alias)
                .replacing("\u{0}", with: "%")
        }
        var keys: [String] = []
        if let file = inventory.identityFile { keys.append(expand(file)) }
        keys += options.identityFiles.map(expand)
        if keys.isEmpty { keys = ["id_ed25519", "id_ecdsa", "id_rsa"].map { home + "/.ssh/" + $0 } }
        let userFiles =
            client.knownHostsFile.map { [$0] }
            ?? options.userKnownHostsFiles.map { $0.filter { $0.lowercased() != "none" }.map(expand) }
            ?? [home + "/.ssh/known_hosts", home + "/.ssh/known_hosts2"]
        let globalFiles =
            options.globalKnownHostsFiles.map { $0.filter { $0.lowercased() != "none" }.map(expand) }
            ?? client.globalKnownHostsFiles
        let acceptNew = client.acceptNewHostKeys || options.acceptNew == true
        let proxy = proxySetting(inventory: inventory, options: options)
        return SSHTarget(
            host: host,
            port: port,
            user: user,
            identityFiles: keys,
            knownHostsFile: userFiles.first ?? "/dev/null",
            otherKnownHostsFiles: Array(userFiles.dropFirst()) + globalFiles,
            hostKeyAlias: options.hostKeyAlias,
            hostKeyPolicy: acceptNew ? .acceptNew : .strict,
            agentSocket: client.agentSocket,
            passphrase: client.passphrase,
            route: route(alias: alias, host: host, proxy: proxy, config: config, client: client, depth: depth)
        )
    }
}
