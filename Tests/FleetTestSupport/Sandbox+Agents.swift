extension Sandbox.Options {
    /// A sandbox whose nodes follow the one shared chain with the built `node-agent` supervising each: what
    /// the coordination suites (preflight, schedule, rollout, upgrades on the shared chain) start from.
    ///
    /// ```swift
    /// try await withSandbox(.withAgents(blockInterval: "100ms")) { sandbox in … }
    /// ```
    ///
    /// - Parameters:
    ///   - nodes: how many nodes (4: two sentries and two validators, by default half are validators).
    ///   - validators: how many of them are validators; nil for half.
    ///   - blockInterval: the chain's block interval, e.g. `100ms`.
    ///   - sharedKey: node names that share the first one's consensus key (the double-sign set-up).
    public static func withAgents(
        nodes: Int = 4, validators: Int? = nil, blockInterval: String = "200ms", sharedKey: [String] = []
    ) -> Sandbox.Options {
        Sandbox.Options(
            nodes: nodes, validators: validators, agent: TestPaths.product("node-agent"), sharedKey: sharedKey,
            blockInterval: blockInterval)
    }
}
