/// The pure checks of `fleet rollback NAME` on one node: which release it goes back to, and whether the
/// chain already executed a migration recorded for NAME (then the old binary cannot run past it).
public enum RollbackCheck {
    /// The release the node ran before it was switched to `release`: the `from` of the last successful
    /// switch to it in the agent's record; `nil` when the record has none.
    public static func previousRelease(of release: String, switches: [AgentRuntimeState.SwitchRecord]) -> String? {
        switches.last { $0.outcome == .ok && $0.to == release && $0.from != release }?.from
    }

    /// The first upgrade recorded for `release` whose height the chain has reached (`height` ≥ its height),
    /// or any record of it when the height is unknown; `nil` when none.
    public static func executedMigration(
        of release: String, records: [RolloutObservation.UpgradeRecord], height: Int64?
    ) -> RolloutObservation.UpgradeRecord? {
        records.first { record in
            guard Self.sameRelease(record.name, release) else { return false }
            guard let height else { return true }
            return height >= record.height
        }
    }

    /// Whether plan name `name` selects the release directory `release` (recased as the agent recases).
    static func sameRelease(_ name: String, _ release: String) -> Bool {
        if let upgrade = try? UpgradeName(name), upgrade.directory == release { return true }
        return name.lowercased() == release.lowercased()
    }
}
