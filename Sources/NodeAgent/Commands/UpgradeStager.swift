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
    /// - Throws: ``CommandFailure`` with cosmovisor's messages (`file already exists at <path>`,
    ///   `invalid executable path: …`), or ``UpgradeNameError`` for a name that must not become a path.
    func add(name rawName: String, executable: String, height: Int64, force: Bool) throws {
        let name = try UpgradeName(rawName, recase: !configuration.disableRecase)
        let layout = configuration.layout
        var info = stat()
        if stat(executable, &info) != 0 {
            let reason = "stat \(executable): \(GoErrorText.errno(errno))"
            throw CommandFailure(errno == ENOENT ? "invalid executable path: \(reason)" : "failed to load executable path: \(reason)")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw CommandFailure("failed to read binary: read \(executable): is a directory")
        }
        let binDirectory = layout.upgradeBinDirectory(for: name)
        do {
            try FileManager.default.createDirectory(
                atPath: binDirectory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755]
            )
        } catch {
            throw CommandFailure("failed to create upgrade directory: \(error.localizedDescription)")
        }
        let binary = layout.upgradeBinary(for: name)
        try refuseExisting(binary, force: force)
        do {
            try AtomicFile.copy(from: executable, to: binary, mode: 0o755)
        } catch {
            throw CommandFailure("failed to write binary to location: \(error)")
        }
        logger.info("Using \(executable) for \(name.recased) upgrade")
        logger.info("Upgrade binary located at \(binary)")

        guard height > 0 else { return }
        let plan = UpgradePlan(name: name.recased, height: height)
        let planPath = layout.upgradeInfoFile
        try refuseExisting(planPath, force: force)
        do {
            try AtomicFile.write(plan.jsonData(), to: planPath, mode: 0o644)
        } catch {
            throw CommandFailure("failed to write binary to location: \(error)")
        }
        var schedule = try ManualUpgradeSchedule.read(from: layout.manualUpgradesFile)
        schedule.upsert(.init(name: name.recased, height: height, addedAt: AgentRuntimeState.timestamp(now())))
        try schedule.write(to: layout.manualUpgradesFile)
        logger.info("\(planPath) created, \(name.recased) upgrade binary will switch at height \(height)")
    }

    private func refuseExisting(_ path: String, force: Bool) throws(CommandFailure) {
        var info = stat()
        if stat(path, &info) == 0 {
            if !force { throw CommandFailure("file already exists at \(path)") }
        } else if errno != ENOENT {
            throw CommandFailure("failed to check if file exists: stat \(path): \(GoErrorText.errno(errno))")
        }
    }
}
