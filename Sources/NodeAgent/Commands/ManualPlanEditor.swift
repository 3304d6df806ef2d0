import FleetCore
import Foundation
import Logging

/// Adds and removes a manual upgrade plan for a binary that is already staged (`fleet stage`): what
/// `add-upgrade NAME --upgrade-height H` (one operand) and `remove-upgrade NAME` do for `fleet schedule`.
///
/// Adding writes `data/upgrade-info.json` and the ``ManualUpgradeSchedule`` entry (with who and when);
/// removing takes the entry off the schedule (recording who and when) and deletes the plan file when it
/// holds that same plan. Both are idempotent, so a coordinator can retry them and roll them back.
struct ManualPlanEditor {
    /// The agent's configuration.
    var configuration: AgentConfiguration
    /// Receives cosmovisor-style log lines.
    var logger: Logger
    /// The clock for the records.
    var now: @Sendable () -> Date = { Date() }

    /// What ``add(name:height:requestedBy:force:)`` did.
    enum Added: Equatable {
        /// The plan file and the schedule entry were written.
        case added
        /// The same plan was already there (a rerun): nothing changed.
        case alreadyScheduled
    }

    /// Schedules the staged binary of `name` at `height`.
    ///
    /// - Throws: ``AgentError`` when no executable binary is staged for it, it is the upgrade `current`
    ///   already runs, or another plan is pending in `data/upgrade-info.json` (unless `force`); nothing is
    ///   written then.
    func add(name rawName: String, height: Int64, requestedBy: String?, force: Bool) throws(AgentError) -> Added {
        guard height > 0 else { throw AgentError(.command, "--upgrade-height must be greater than 0") }
        let name = try upgradeName(rawName)
        let layout = configuration.layout
        let binary = layout.upgradeBinary(for: name)
        do {
            try ExecutableFile.ensure(binary)
        } catch {
            throw AgentError(
                .command, "no binary staged for upgrade \(name.recased) at \(binary): \(error) (stage it first)")
        }
        if isApplied(name) {
            throw AgentError(.command, "upgrade \(name.recased) is already applied: current runs it")
        }
        let plan = UpgradePlan(name: name.recased, height: height)
        if let existing = try pendingPlan(), !force {
            if existing.name.lowercased() == plan.name.lowercased() && existing.height == height,
                (try? schedule())?.entry(named: name.recased)?.height == height
            {
                return .alreadyScheduled
            }
            throw AgentError(
                .command,
                "another plan is pending in \(layout.upgradeInfoFile): \"\(existing.name)\" at height "
                    + "\(existing.height) (remove it with remove-upgrade, or --force)")
        }
        // Read before anything is written: an unreadable schedule refuses with nothing changed.
        var schedule = try schedule()
        do {
            try AtomicFile.write(plan.jsonData(), to: layout.upgradeInfoFile, mode: 0o644)
        } catch {
            throw AgentError(.command, "failed to write \(layout.upgradeInfoFile): \(error)")
        }
        schedule.upsert(
            .init(
                name: plan.name, height: height, addedAt: AgentRuntimeState.timestamp(now()),
                addedBy: requestedBy ?? Self.localUser))
        do {
            try schedule.write(to: layout.manualUpgradesFile)
        } catch {
            // The plan file alone would still upgrade at the height: take it back.
            unlink(layout.upgradeInfoFile)
            throw AgentError(.command, error)
        }
        logger.info("\(layout.upgradeInfoFile) created, \(plan.name) upgrade binary will switch at height \(height)")
        return .added
    }

    /// What ``remove(name:requestedBy:)`` removed.
    struct Removed: Equatable {
        /// The schedule entry's height, when there was one.
        var entryHeight: Int64?
        /// Whether `data/upgrade-info.json` held the plan and was deleted.
        var planFile: Bool
    }

    /// Takes upgrade `name` off the manual schedule and deletes `data/upgrade-info.json` when it holds
    /// that scheduled plan (same name and height) and the upgrade is not applied yet. Nothing to remove is
    /// not an error.
    func remove(name rawName: String, requestedBy: String?) throws(AgentError) -> Removed {
        let name = try upgradeName(rawName)
        let layout = configuration.layout
        var schedule = try schedule()
        let entry = schedule.cancel(
            named: name.recased, at: AgentRuntimeState.timestamp(now()), by: requestedBy ?? Self.localUser)
        if entry != nil {
            // The schedule first: once it is gone the agent no longer halts the node for it.
            do {
                try schedule.write(to: layout.manualUpgradesFile)
            } catch {
                throw AgentError(.command, error)
            }
        }
        // The plan file goes only when it was written for the schedule: its entry (or, on a retry after a
        // crash, the removal just recorded) names the same upgrade and height. A plan the chain wrote stays.
        let scheduledHeight = entry?.height ?? schedule.removed?.last { $0.name == name.recased }?.height
        var planFile = false
        if let plan = try pendingPlan(), plan.name.lowercased() == name.recased.lowercased(),
            plan.height == scheduledHeight, !isApplied(name)
        {
            guard unlink(layout.upgradeInfoFile) == 0 || errno == ENOENT else {
                throw AgentError(.command, "cannot remove \(layout.upgradeInfoFile): \(GoText.errno(errno))")
            }
            planFile = true
        }
        if entry != nil || planFile {
            logger.info("removed upgrade \(name.recased) scheduled at height \(entry?.height ?? 0)")
        }
        return Removed(entryHeight: entry?.height, planFile: planFile)
    }

    /// The user running this command, `user@host`, for the records when no `--requested-by` is given.
    static var localUser: String {
        let user = getpwuid(geteuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        return user + "@" + ProcessInfo.processInfo.hostName
    }

    private func upgradeName(_ raw: String) throws(AgentError) -> UpgradeName {
        do {
            return try UpgradeName(raw, recase: !configuration.disableRecase)
        } catch {
            throw AgentError(.command, error)
        }
    }

    private func schedule() throws(AgentError) -> ManualUpgradeSchedule {
        do {
            return try ManualUpgradeSchedule.read(from: configuration.layout.manualUpgradesFile)
        } catch {
            throw AgentError(.command, error)
        }
    }

    /// `data/upgrade-info.json` unless it is missing or records the upgrade `current` already runs.
    private func pendingPlan() throws(AgentError) -> UpgradePlan? {
        let layout = configuration.layout
        let data: Data?
        do {
            data = try AtomicFile.read(layout.upgradeInfoFile)
        } catch {
            throw AgentError(.command, error)
        }
        guard let data, !data.isEmpty else { return nil }
        guard let plan = try? JSONDecoder().decode(UpgradePlan.self, from: data) else {
            throw AgentError(.command, "\(layout.upgradeInfoFile) is not a readable plan; look at it before scheduling")
        }
        if let applied = appliedName(), applied.lowercased() == plan.name.lowercased() { return nil }
        return plan
    }

    private func isApplied(_ name: UpgradeName) -> Bool {
        appliedName()?.lowercased() == name.recased.lowercased()
    }

    /// The name in `current/upgrade-info.json` (the upgrade `current` runs), if any.
    private func appliedName() -> String? {
        guard let data = (try? AtomicFile.read(configuration.layout.currentUpgradeRecord)) ?? nil else { return nil }
        return (try? JSONDecoder().decode(UpgradePlan.self, from: data))?.name
    }
}
