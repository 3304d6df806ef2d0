/// The pure check made before a validator is started: no other running node may hold its consensus key.
public enum DoubleSignInterlock {
    /// The refusal for starting `validator` given every node read (any role, the whole inventory), or `nil`.
    ///
    /// The validator's key is its RPC's `validator_info.address` (or the agent's reading of
    /// `priv_validator_key.json`); another node counts when its RPC answers or its child runs.
    public static func check(validator: String, observations: [RolloutObservation]) -> RolloutRefusal? {
        guard let own = observations.first(where: { $0.host == validator }),
            let address = own.consensusAddress
        else { return nil }
        let others = observations.filter { $0.host != validator && $0.nodeRunning && $0.consensusAddress == address }
        guard !others.isEmpty else { return nil }
        let names = others.map(\.host).joined(separator: ", ")
        return RolloutRefusal(
            .safety,
            "DOUBLE-SIGN RISK: \(names) \(others.count == 1 ? "runs" : "run") with \(validator)'s consensus key "
                + "\(address); refusing to start \(validator) (stop all but one node with that key first)",
            hosts: [validator] + others.map(\.host))
    }
}
