import FleetCore
import Foundation
import Logging

/// What `add-upgrade` does (spec §4), hardened: the name goes through ``UpgradeName``, the binary and
/// the plan are written atomically, and a manual height is also recorded in ``ManualUpgradeSchedule``.
struct UpgradeStager {
    /// The agent's configuration.
    var configuration: AgentConfiguration
    /// Receives cosmovisor's log lines.
    var logger: Logger
    /// The clock for the schedule's `added_at`.
    var now: @Sendable () -> Date = { Date() }

    /// Stages `executable` as upgrade `name`, and with `height > 0` schedules it.
    ///
    /// - Throws: ``AgentError`` with cosmovisor's messages (`file already exists at <path>`,
    ///   `invalid executable path: …`), or an ``UpgradeNameError``'s message for a name that must not
    ///   become a path.
    func add(name rawName: String, executable: String, height: Int64, force: Bool) throws(AgentError) {
        let name: UpgradeName
        do {
            name = try UpgradeName(rawName, recase: !configuration.disableRecase)
        } catch {
            throw AgentError(.command, error)
        }
        let layout = configuration.layout
        var info = stat()
        if stat(executable, &info) != 0 {
            let code = errno
            let reason = "stat \(executable): \(GoText.errno(code))"
            throw AgentError(
                .command,
                code == ENOENT ? "invalid executable path: \(reason)" : "failed to load executable path: \(reason)"
            )
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw AgentError(.command, "failed to read binary: read \(executable): is a directory")
        }
        let binary = layout.upgradeBinary(for: name)
        try refuseExisting(binary, force: force)
        // Both refusals come before any write, so a refused command changes nothing.
        if height > 0 { try refuseExisting(layout.upgradeInfoFile, force: force) }
        let binDirectory = layout.upgradeBinDirectory(for: name)
        do {
            try FileManager.default.createDirectory(
                atPath: binDirectory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755]
            )
        } catch {
            throw AgentError(.command, "failed to create upgrade directory: \(error.localizedDescription)")
        }
        do {
            try AtomicFile.copy(from: executable, to: binary, mode: 0o755)
        } catch {
            throw AgentError(.command, "failed to write binary to location: \(error)")
        }
        logger.info("Using \(executable) for \(name.recased) upgrade")
        logger.info("Upgrade binary located at \(binary)")

        guard height > 0 else { return }
        let plan = UpgradePlan(name: name.recased, height: height)
        let planPath = layout.upgradeInfoFile
        do {
            try AtomicFile.write(plan.jsonData(), to: planPath, mode: 0o644)
        } catch {
            throw AgentError(.command, "failed to write binary to location: \(error)")
        }
        try recordInSchedule([plan])
        logger.info("\(planPath) created, \(name.recased) upgrade binary will switch at height \(height)")
    }

    /// Adds or replaces `plans` in `manual-upgrades.json`, so `run` starts the node with their halt heights.
    private func recordInSchedule(_ plans: [UpgradePlan]) throws(AgentError) {
        let file = configuration.layout.manualUpgradesFile
        var schedule: ManualUpgradeSchedule
        do {
            schedule = try ManualUpgradeSchedule.read(from: file)
        } catch {
            throw AgentError(.command, error)
        }
        let addedAt = AgentRuntimeState.timestamp(now())
        for plan in plans { schedule.upsert(.init(name: plan.name, height: plan.height, addedAt: addedAt)) }
        do {
            try schedule.write(to: file)
        } catch {
            throw AgentError(.command, error)
        }
    }

    private func refuseExisting(_ path: String, force: Bool) throws(AgentError) {
        var info = stat()
        if stat(path, &info) == 0 {
            if !force { throw AgentError(.command, "file already exists at \(path)") }
        } else if errno != ENOENT {
            throw AgentError(.command, "failed to check if file exists: stat \(path): \(GoText.errno(errno))")
        }
    }
}

extension UpgradeStager {
    /// Stages every entry of `batch` (overwriting binaries), replaces the batch file with their plans
    /// (JSON array, 2-space indent, mode 0600) and records every height in the manual schedule.
    ///
    /// All names are validated before anything is written.
    func addBatch(_ batch: UpgradeBatch) throws(AgentError) {
        let names: [UpgradeName]
        do {
            names = try batch.entries.map { entry throws(UpgradeNameError) in
                try UpgradeName(entry.name, recase: !configuration.disableRecase)
            }
        } catch {
            throw AgentError(.command, error)
        }
        for (entry, name) in zip(batch.entries, names) {
            try add(name: name.original, executable: entry.executable, height: 0, force: true)
        }
        let layout = configuration.layout
        let plans = zip(batch.entries, names).map { UpgradePlan(name: $1.recased, height: $0.height) }
        do {
            try AtomicFile.write(UpgradePlan.batchData(plans), to: layout.batchFile, mode: 0o600)
        } catch {
            throw AgentError(.command, "error writing combined JSON to file: \(error)")
        }
        try recordInSchedule(plans)
        logger.info("\(layout.batchFile) created, \(plans.count) upgrades will switch at their heights")
    }
}
