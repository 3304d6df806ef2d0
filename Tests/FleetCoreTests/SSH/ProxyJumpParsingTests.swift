import FleetCore
import FleetTestSupport
import Testing

/// ProxyJump and ProxyCommand as ~/.ssh/config and the Ansible ssh-argument variables write them, and
/// the routes `SSHTarget.resolve` builds from them.
@Suite(.tags(.pure)) struct ProxyJumpParsingTests {
    @Test(
        "hop forms",
        arguments: [
            ("bastion", [JumpHop(host: "bastion")]),
            ("ops@bastion:2222", [JumpHop(user: "ops", host: "bastion", port: 2222)]),
            ("a,b@c:23 , d", [JumpHop(host: "a"), JumpHop(user: "b", host: "c", port: 23), JumpHop(host: "d")]),
            ("ssh://ops@bastion:2200", [JumpHop(user: "ops", host: "bastion", port: 2200)]),
            ("me@corp@bastion", [JumpHop(user: "me@corp", host: "bastion")]),
            ("[fd00::1]:2222", [JumpHop(host: "fd00::1", port: 2222)]),
            ("fd00::1", [JumpHop(host: "fd00::1")]),
            ("NONE", []),
        ])
    func hopForms(value: String, hops: [JumpHop]) throws {
        #expect(try JumpHop.parseList(value) == hops)
    }

    @Test("unusable hop lists", arguments: ["", "a,,b", "a,", "ops@", "@b", "b:0", "b:70000", "b:ssh", "[::1", "a b"])
    func unusableHops(value: String) {
        #expect(throws: JumpHop.ParseError.self) { try JumpHop.parseList(value) }
    }

    @Test(
        "ansible ssh argument forms",
        arguments: [
            ("-o ProxyJump=ops@b:2222", ProxySetting.Kind.jump([JumpHop(user: "ops", host: "b", port: 2222)])),
            ("-oProxyJump=b", .jump([JumpHop(host: "b")])),
            ("-o 'ProxyJump b1,b2'", .jump([JumpHop(host: "b1"), JumpHop(host: "b2")])),
            ("-o \"ProxyJump = b\"", .jump([JumpHop(host: "b")])),
            ("-o proxyjump=b", .jump([JumpHop(host: "b")])),
            ("-J b", .jump([JumpHop(host: "b")])),
            ("-Jops@b", .jump([JumpHop(user: "ops", host: "b")])),
            ("-tt -CJ b -o ProxyJump=ignored", .jump([JumpHop(host: "b")])),
            ("-o StrictHostKeyChecking=no -o ProxyJump=b -J ignored", .jump([JumpHop(host: "b")])),
            ("-o ProxyJump=none -J b", .direct),
            ("-o ProxyCommand='ssh -W %h:%p b'", .command),
            ("-o 'ProxyCommand ssh -W %h:%p b' -J b", .command),
            ("-o ProxyCommand=none", .direct),
            (
                "-o ProxyJump=a,,b",
                .invalid(reason: "ProxyJump \"a,,b\": a hop is empty (two commas, or a comma at an end)")
            ),
            ("-o 'ProxyJump=b", .invalid(reason: "a quote opened at column 4 is never closed")),
            // -l and -i take a value, so "-J" there is a user name or a key file, not an option.
            ("-l -J -i -J -o ProxyJump=b", .jump([JumpHop(host: "b")])),
            ("-o ProxyJump=b#1", .jump([JumpHop(host: "b#1")])),
        ])
    func ansibleArguments(text: String, kind: ProxySetting.Kind) {
        #expect(ProxySetting.fromSSHArguments(text, origin: "v") == ProxySetting(kind, origin: "v"))
    }

    @Test(
        "arguments without a proxy", arguments: ["", "-o StrictHostKeyChecking=no", "-C -o ControlMaster=auto", "J b"])
    func noProxy(text: String) {
        #expect(ProxySetting.fromSSHArguments(text, origin: "v") == nil)
    }

    static let config = SSHConfigFile.parse(
        """
        Host bastion
            HostName 10.0.0.1
            User jump
            Port 2222
            IdentityFile ~/.ssh/bastion_key

        Host inner
            HostName 10.1.0.1
            ProxyJump bastion

        Match host *.internal
            ProxyJump ignored

        Host legacy-*
            ProxyCommand ssh -W %h:%p bastion
            ProxyJump bastion

        Host *.internal !direct.internal
            ProxyJump bastion

        Host deep-*
            ProxyJump inner,edge

        Host loop
            ProxyJump loop

        Host *
            ProxyJump none
        """)

    static let client = SSHTarget.ClientEnvironment(homeDirectory: "/home/me", localUser: "me")

    @Test func hopsResolveThroughTheirOwnHostBlocks() throws {
        let target = SSHTarget.resolve(alias: "db.internal", config: Self.config, client: Self.client)
        #expect(target.host == "db.internal")
        let hops = target.route.jumpHosts
        try #require(hops.count == 1)
        #expect(hops[0].host == "10.0.0.1")
        #expect(hops[0].port == 2222)
        #expect(hops[0].user == "jump")
        #expect(hops[0].identityFiles == ["/home/me/.ssh/bastion_key"])
        #expect(hops[0].knownHostsFile == "/home/me/.ssh/known_hosts")
        #expect(hops[0].route == .direct)
    }

    @Test func negatedPatternAndNoneConnectDirectly() {
        #expect(SSHTarget.resolve(alias: "direct.internal", config: Self.config, client: Self.client).route == .direct)
        #expect(SSHTarget.resolve(alias: "elsewhere", config: Self.config, client: Self.client).route == .direct)
        #expect(Self.config.matchLines == [11])
        #expect(Self.config.matchNote?.contains("line 11") == true)
    }

    @Test func firstHopsOwnProxyJumpGoesInFrontLaterHopsDoNot() {
        let target = SSHTarget.resolve(alias: "deep-1", config: Self.config, client: Self.client)
        // inner's own ProxyJump (bastion) comes first; edge's "ProxyJump none" is overridden anyway.
        #expect(target.route.jumpHosts.map(\.host) == ["10.0.0.1", "10.1.0.1", "edge"])
        #expect(target.route.jumpHosts.allSatisfy { $0.route == .direct })
    }

    @Test func proxyCommandIsRefusedNamingProxyJump() throws {
        let target = SSHTarget.resolve(alias: "legacy-1", config: Self.config, client: Self.client)
        guard case .refused(let error) = target.route else {
            Issue.record("expected a refusal, got \(target.route)")
            return
        }
        #expect(error.code == .unsupportedProxy)
        #expect(error.description.contains("ProxyCommand is set for legacy-1 (~/.ssh/config line 15)"))
        #expect(error.hint.contains("ProxyJump"))
    }

    @Test func inventoryArgumentsBeatTheConfig() {
        let viaArgs = SSHTarget.resolve(
            alias: "db.internal",
            inventory: .init(sshCommonArgs: "-o StrictHostKeyChecking=no", sshExtraArgs: "-J ops@inner:2200"),
            config: Self.config, client: Self.client)
        #expect(viaArgs.route.jumpHosts.map(\.host) == ["10.0.0.1", "10.1.0.1"])
        #expect(viaArgs.route.jumpHosts.last?.user == "ops")
        #expect(viaArgs.route.jumpHosts.last?.port == 2200)
        let common = SSHTarget.resolve(
            alias: "db.internal", inventory: .init(sshCommonArgs: "-o ProxyJump=none", sshExtraArgs: "-J inner"),
            config: Self.config, client: Self.client)
        #expect(common.route == .direct)
        let refused = SSHTarget.resolve(
            alias: "db.internal", inventory: .init(sshCommonArgs: "-o ProxyCommand='nc %h %p'"),
            config: Self.config, client: Self.client)
        guard case .refused(let error) = refused.route else {
            Issue.record("expected a refusal, got \(refused.route)")
            return
        }
        #expect(error.message.contains("(ansible_ssh_common_args)"))
    }

    @Test func aBastionThatJumpsThroughItselfIsRefused() {
        guard
            case .refused(let error) = SSHTarget.resolve(alias: "loop", config: Self.config, client: Self.client).route
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.message.hasPrefix("bastion loop: ProxyJump for loop (~/.ssh/config line 25) passes more than"))
    }
}
