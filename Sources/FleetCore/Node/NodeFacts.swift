public import Foundation

/// The facts about a node that are derived rather than read: what `current` selects (and that binary's
/// sha256 and version), and whether the plan in `data/upgrade-info.json` is still pending.
///
/// The one derivation behind `node-agent status` and `fleet status`'s shell probe: each only gathers the
/// raw observations (the link, the staged binaries, the bytes of the two plan files) and calls
/// ``init(layout:current:binaries:plan:appliedRecord:disableRecase:)``, so the two can never disagree.
/// Pure: nothing here touches the file system.
public struct NodeFacts: Sendable, Equatable {
    /// `cosmovisor/current`: raw target, selected upgrade, its binary's sha256 and version, or the error.
    public var current: NodeStatus.CurrentLink
    /// The selection, `nil` when `current` is unusable (``current``'s `error` says why).
    public var selection: CurrentSelection?
    /// The plan of `data/upgrade-info.json` when it is not applied yet.
    public var pendingPlan: NodeStatus.PlanInfo?

    /// Derives the facts.
    ///
    /// A plan is applied when the record `current/upgrade-info.json` names it (names compared after
    /// lower-casing, as cosmovisor's watcher does) or records a height at or above it; the record counts
    /// only when `current` is usable. The plan's binary is staged when `binaries` has a file for the
    /// plan's directory (`upgrades/<recased, escaped name>`).
    ///
    /// - Parameters:
    ///   - layout: the node's layout.
    ///   - current: what sits at `cosmovisor/current`.
    ///   - binaries: `genesis` and every `upgrades/*` directory, as observed.
    ///   - plan: the bytes of `data/upgrade-info.json`, `nil` when absent.
    ///   - appliedRecord: the bytes of `current/upgrade-info.json`, `nil` when absent.
    ///   - disableRecase: `COSMOVISOR_DISABLE_RECASE` (the probe, which cannot know, passes `false`).
    public init(
        layout: CosmovisorLayout,
        current: CurrentLinkObservation,
        binaries: [NodeStatus.StagedBinary],
        plan: Data?,
        appliedRecord: Data?,
        disableRecase: Bool
    ) {
        var link = NodeStatus.CurrentLink(target: nil)
        if case .symlink(let target, _) = current { link.target = target }
        do {
            let selection = try layout.selection(for: current)
            self.selection = selection
            link.upgrade = selection.upgrade
            if let binary = binaries.first(where: { $0.name == selection.name }) {
                link.sha256 = binary.sha256
                link.version = binary.version
            }
        } catch {
            selection = nil
            link.error = error.description
        }
        self.current = link
        pendingPlan = Self.pending(
            plan: plan.flatMap { try? UpgradePlan.parse($0, path: layout.upgradeInfoFile, disableRecase: true) },
            applied: selection == nil
                ? nil : appliedRecord.flatMap { try? UpgradePlan.parse($0, path: "", disableRecase: true) },
            binaries: binaries,
            disableRecase: disableRecase
        )
    }

    private static func pending(
        plan: UpgradePlan?,
        applied: UpgradePlan?,
        binaries: [NodeStatus.StagedBinary],
        disableRecase: Bool
    ) -> NodeStatus.PlanInfo? {
        guard let plan else { return nil }
        if let applied,
            UpgradeName.lowercase(applied.name) == UpgradeName.lowercase(plan.name) || plan.height <= applied.height
        {
            return nil
        }
        let directory = try? UpgradeName(plan.name, recase: !disableRecase).directory
        let staged = binaries.contains { $0.path != nil && $0.name == directory }
        return NodeStatus.PlanInfo(
            name: plan.name,
            height: plan.height,
            info: plan.info.isEmpty ? nil : plan.info,
            binaryStaged: staged
        )
    }
}
