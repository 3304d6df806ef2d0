/// Everything needed to open one SSH connection: where, as whom, with which keys and trust.
///
/// Build one directly, or from inventory variables and `~/.ssh/config` with
/// ``SSHTarget/resolve(alias:inventory:config:client:)``. FleetCore never reads the process
/// environment: the agent socket and passphrase are passed in here.
public struct SSHTarget: Sendable, Hashable {
    /// The host name or address to connect to.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The login user.
    public var user: String
    /// Private key files to try after the agent, in order (encrypted OpenSSH keys need `passphrase`).
    public var identityFiles: [String]
    /// The known_hosts file to check against (and append to under `.acceptNew`).
    public var knownHostsFile: String
    /// Further known_hosts files checked too but never written: more `UserKnownHostsFile` entries,
    /// then the global ones (`/etc/ssh/ssh_known_hosts`).
    public var otherKnownHostsFiles: [String]
    /// `HostKeyAlias`: the name known_hosts is searched and recorded under instead of the host and port.
    public var hostKeyAlias: String?
    /// What to do with a host missing from known_hosts.
    public var hostKeyPolicy: HostKeyPolicy
    /// Deadline for TCP connect, handshake, host-key check and authentication together.
    public var connectTimeout: Duration
    /// Default deadline for every later operation (an exec, an SFTP call, an upload chunk's progress).
    public var operationTimeout: Duration
    /// The ssh-agent socket (the caller's `SSH_AUTH_SOCK`), tried before key files; nil skips the agent.
    public var agentSocket: String?
    /// The passphrase for encrypted key files (for example from an environment variable).
    public var passphrase: String?
    /// How often a banner failure (sshd `MaxStartups`) is retried; 0 disables retries.
    public var bannerRetries: Int
    /// How the TCP stream to the host is made: directly, or through bastions (`ProxyJump`).
    public var route: SSHRoute
    /// Whether the session stays open for the whole run (``PersistentSessions``): through a bastion its
    /// tunnel then counts against ``BastionPool``'s long-lived cap, not the 10 channels that short sessions share.
    public var persistent = false

    /// Creates a target; see the properties for meanings.
    public init(
        host: String,
        port: Int = 22,
        user: String,
        identityFiles: [String] = [],
        knownHostsFile: String,
        otherKnownHostsFiles: [String] = [],
        hostKeyAlias: String? = nil,
        hostKeyPolicy: HostKeyPolicy = .strict,
        connectTimeout: Duration = .seconds(10),
        operationTimeout: Duration = .seconds(60),
        agentSocket: String? = nil,
        passphrase: String? = nil,
        bannerRetries: Int = 5,
        route: SSHRoute = .direct
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.knownHostsFile = knownHostsFile
        self.otherKnownHostsFiles = otherKnownHostsFiles
        self.hostKeyAlias = hostKeyAlias
        self.hostKeyPolicy = hostKeyPolicy
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.agentSocket = agentSocket
        self.passphrase = passphrase
        self.bannerRetries = bannerRetries
        self.route = route
    }
}
