import FleetCore
import FleetTestSupport
import Testing

/// The ~/.ssh/config subset and how targets are resolved from inventory, config and defaults.
@Suite(.tags(.pure)) struct SSHConfigFileTests {
    static let config = SSHConfigFile.parse(
        """
        # global defaults come first in the file but lose to nothing set earlier
        Host validator-* !validator-9
            HostName %h.fleet.internal
            User validator
            Port=2200
            IdentityFile ~/.ssh/validators
            StrictHostKeyChecking accept-new

        Match host sentry-*
            User ignored

        Host validator-1
            User second-wins-not
            IdentityFile "%d/keys/v1 key"
            Port 2201

        Host *
            User ops
            IdentityFile ~/.ssh/id_ed25519
            UserKnownHostsFile ~/.ssh/fleet_known_hosts /etc/ignored
            StrictHostKeyChecking yes
        """)

    @Test func firstValueWinsAndIdentityFilesAccumulate() {
        let options = Self.config.options(for: "validator-1")
        #expect(options.hostName == "validator-1.fleet.internal")
        #expect(options.user == "validator")
        #expect(options.port == 2200)
        #expect(options.identityFiles == ["~/.ssh/validators", "%d/keys/v1 key", "~/.ssh/id_ed25519"])
        #expect(options.userKnownHostsFile == "~/.ssh/fleet_known_hosts")
        #expect(options.acceptNew == true)
    }

    @Test func negatedAndMatchBlocksDoNotApply() {
        let excluded = Self.config.options(for: "validator-9")
        #expect(excluded.hostName == nil)
        #expect(excluded.user == "ops")
        #expect(excluded.acceptNew == false)
        #expect(Self.config.options(for: "sentry-1").user == "ops")
    }

    @Test func resolveAppliesInventoryThenConfigThenDefaults() {
        let client = SSHTarget.ClientEnvironment(
            homeDirectory: "/home/me", localUser: "me", agentSocket: "/run/agent", passphrase: "pw")
        let fromConfig = SSHTarget.resolve(alias: "validator-1", config: Self.config, client: client)
        #expect(fromConfig.host == "validator-1.fleet.internal")
        #expect(fromConfig.port == 2200)
        #expect(fromConfig.user == "validator")
        #expect(fromConfig.identityFiles == ["/home/me/.ssh/validators", "/home/me/keys/v1 key", "/home/me/.ssh/id_ed25519"])
        #expect(fromConfig.knownHostsFile == "/home/me/.ssh/fleet_known_hosts")
        #expect(fromConfig.hostKeyPolicy == .acceptNew)
        #expect(fromConfig.agentSocket == "/run/agent" && fromConfig.passphrase == "pw")

        let overridden = SSHTarget.resolve(
            alias: "validator-1",
            inventory: .init(host: "10.0.0.7", port: 22, user: "root", identityFile: "~/inv_key"),
            config: Self.config, client: client)
        #expect(overridden.host == "10.0.0.7" && overridden.port == 22 && overridden.user == "root")
        #expect(overridden.identityFiles.first == "/home/me/inv_key")

        let bare = SSHTarget.resolve(
            alias: "lonely", client: .init(homeDirectory: "/h", localUser: "u", knownHostsFile: "/kh"))
        #expect(bare.host == "lonely" && bare.port == 22 && bare.user == "u")
        #expect(bare.identityFiles == ["/h/.ssh/id_ed25519", "/h/.ssh/id_ecdsa", "/h/.ssh/id_rsa"])
        #expect(bare.knownHostsFile == "/kh" && bare.hostKeyPolicy == .strict && bare.agentSocket == nil)
    }
}
