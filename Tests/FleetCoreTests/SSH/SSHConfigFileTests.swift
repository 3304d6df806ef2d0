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
        #expect(options.userKnownHostsFiles == ["~/.ssh/fleet_known_hosts", "/etc/ignored"])
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
        #expect(
            fromConfig.identityFiles == [
                "/home/me/.ssh/validators", "/home/me/keys/v1 key", "/home/me/.ssh/id_ed25519",
            ])
        #expect(fromConfig.knownHostsFile == "/home/me/.ssh/fleet_known_hosts")
        #expect(
            fromConfig.otherKnownHostsFiles == [
                "/etc/ignored", "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2",
            ])
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

extension SSHConfigFileTests {
    @Test func knownHostsFilesAndHostKeyAliasFollowOpenSSH() {
        let config = SSHConfigFile.parse(
            "Host n1\r\n    HostKeyAlias validator-one\r\n    UserKnownHostsFile ~/.ssh/a %d/b_%k\r\n"
                + "    GlobalKnownHostsFile /etc/fleet/known_hosts none\r\nHost quiet\n    UserKnownHostsFile none\n")
        #expect(config.options(for: "n1").hostKeyAlias == "validator-one")
        #expect(config.options(for: "n1").globalKnownHostsFiles == ["/etc/fleet/known_hosts", "none"])
        let client = SSHTarget.ClientEnvironment(homeDirectory: "/h", localUser: "u", globalKnownHostsFiles: ["/g1"])
        let n1 = SSHTarget.resolve(alias: "n1", config: config, client: client)
        #expect(n1.hostKeyAlias == "validator-one")
        #expect(n1.knownHostsFile == "/h/.ssh/a")
        #expect(n1.otherKnownHostsFiles == ["/h/b_validator-one", "/etc/fleet/known_hosts"])

        let defaults = SSHTarget.resolve(alias: "other", config: config, client: client)
        #expect(defaults.hostKeyAlias == nil)
        #expect(defaults.knownHostsFile == "/h/.ssh/known_hosts")
        #expect(defaults.otherKnownHostsFiles == ["/h/.ssh/known_hosts2", "/g1"])

        let quiet = SSHTarget.resolve(alias: "quiet", config: config, client: client)
        #expect(quiet.knownHostsFile == "/dev/null" && quiet.otherKnownHostsFiles == ["/g1"])

        // --known-hosts replaces the user files, never the global ones.
        var flagged = client
        flagged.knownHostsFile = "/kh"
        let fromFlag = SSHTarget.resolve(alias: "other", config: config, client: flagged)
        #expect(fromFlag.knownHostsFile == "/kh" && fromFlag.otherKnownHostsFiles == ["/g1"])
        #expect(
            SSHTarget.ClientEnvironment(homeDirectory: "/h", localUser: "u").globalKnownHostsFiles
                == ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"])
    }
}
