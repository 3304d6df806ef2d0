extension SSHTarget {
    /// The most bastions one route may pass, counting those a bastion's own `ProxyJump` adds.
    static let maxJumpDepth = 8

    /// This target with its connect timeout at most `limit` (`fleet --timeout`, the most one host may take),
    /// and that of every bastion on its route at most three quarters of it: each hop's TCP connect,
    /// handshake and authentication are bounded too, so a dead bastion fails the hosts behind it within
    /// the limit, with time left for the host to say that the bastion timed out (rather than a bare
    /// "no answer within the limit").
    public func cappingConnectTimeout(_ limit: Duration) -> SSHTarget {
        var capped = self
        capped.connectTimeout = min(connectTimeout, limit)
        if case .jump(let chain) = route {
            capped.route = .jump(
                chain.map { hop in
                    var hop = hop
                    hop.connectTimeout = min(hop.connectTimeout, limit * 3 / 4)
                    return hop
                })
        }
        return capped
    }

    /// The proxy that applies: the inventory's ssh arguments (common, then extra) beat the config.
    static func proxySetting(inventory: InventoryOverrides, options: SSHConfigFile.HostOptions) -> ProxySetting? {
        let arguments = [
            ("ansible_ssh_common_args", inventory.sshCommonArgs), ("ansible_ssh_extra_args", inventory.sshExtraArgs),
        ]
        for case (let variable, let text?) in arguments {
            if let setting = ProxySetting.fromSSHArguments(text, origin: variable) { return setting }
        }
        return options.proxy
    }

    /// The route `proxy` asks for, with every hop resolved through `config`.
    static func route(
        alias: String,
        host: String,
        proxy: ProxySetting?,
        config: SSHConfigFile?,
        client: ClientEnvironment,
        depth: Int
    ) -> SSHRoute {
        guard let proxy else { return .direct }
        switch proxy.kind {
        case .direct:
            return .direct
        case .command:
            return .refused(
                SSHError(
                    .unsupportedProxy, host: host, operation: "connect",
                    message: "ProxyCommand is set for \(alias) (\(proxy.origin)); fleet never runs a proxy command",
                    hint: "Use ProxyJump [user@]bastion[:port] instead: in ~/.ssh/config, or as -J or "
                        + "-o ProxyJump=… in ansible_ssh_common_args"))
        case .invalid(let reason):
            return .refused(
                SSHError(
                    .unsupportedProxy, host: host, operation: "connect", message: "\(reason) (\(proxy.origin))",
                    hint: "Write ProxyJump as [user@]host[:port], hops separated by commas, or none"))
        case .jump(let hops):
            var chain: [SSHTarget] = []
            for (index, hop) in hops.enumerated() {
                guard depth + chain.count < maxJumpDepth else {
                    return .refused(
                        SSHError(
                            .unsupportedProxy, host: host, operation: "connect",
                            message: "ProxyJump for \(alias) (\(proxy.origin)) passes more than \(maxJumpDepth) "
                                + "bastions",
                            hint: "A Host block that sets ProxyJump probably matches the bastion itself; exclude it "
                                + "(Host * !bastion) or set ProxyJump none in the bastion's own block"))
                }
                var bastion = resolve(
                    alias: hop.host, inventory: .init(port: hop.port, user: hop.user), config: config, client: client,
                    depth: depth + chain.count + 1)
                // OpenSSH reaches later hops with -J, which overrides their own ProxyJump; only the first
                // hop's own ProxyJump puts bastions in front of it.
                if index == 0 {
                    switch bastion.route {
                    case .direct: break
                    case .jump(let before): chain += before
                    case .refused(let error):
                        // Named once, at the inventory host's level, however deep the refusal came from.
                        let message = depth == 0 ? "bastion \(hop.host): \(error.message)" : error.message
                        return .refused(
                            SSHError(error.code, host: host, operation: "connect", message: message, hint: error.hint))
                    }
                }
                bastion.route = .direct
                chain.append(bastion)
            }
            return .jump(chain)
        }
    }
}
