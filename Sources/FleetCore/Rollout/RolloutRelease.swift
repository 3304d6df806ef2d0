import Foundation

/// The release name a rollout or rollback asks for, as the node's agent will name its directory.
public enum RolloutRelease {
    /// `genesis`, or the upgrade directory of `name` on `host` (recased unless the host's
    /// `cosmovisor_disable_recase` is true, as `fleet stage` and the agent do).
    ///
    /// - Throws: ``UpgradeNameError`` for a name that is not a valid upgrade name.
    public static func directory(of name: String, on host: InventoryHost) throws(UpgradeNameError) -> String {
        if name == CosmovisorLayout.genesisLinkTarget { return name }
        let recase = !StageRequest.isTrue(host.vars["cosmovisor_disable_recase"] ?? "")
        return try UpgradeName(name, recase: recase).directory
    }

    /// The voting power the inventory gives `host` (`voting_power`), if any.
    public static func inventoryPower(of host: InventoryHost) -> Int64? {
        host.vars["voting_power"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The chain's total voting power from the inventory (`total_voting_power` on any of `hosts`), if any.
    public static func inventoryTotalPower(_ hosts: [InventoryHost]) -> Int64? {
        hosts.lazy.compactMap {
            $0.vars["total_voting_power"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        }
        .first
    }
}
