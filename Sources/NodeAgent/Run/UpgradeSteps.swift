import FleetCore
import Foundation
import Glibc
import Logging

/// The effects of applying one upgrade (cosmovisor §5.5–5.7), one method per step of the state machine.
struct UpgradeSteps: Sendable {
    var configuration: AgentConfiguration
    var logger: Logger
    /// Flushes the switch's renames in the background; `nil` flushes at once.
    var durability: DeferredDurability?
    /// The last backup taken, for the state file.
    let backups = BackupRecorder()

    /// Creates the steps; without a logger they log nothing.
    init(
        configuration: AgentConfiguration,
        logger: Logger = Logger(label: "node-agent.run", factory: { _ in SwiftLogNoOpLogHandler() }),
        durability: DeferredDurability? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.durability = durability
    }

    /// `DAEMON_RESTART_DELAY`.
    func delay() async {
        try? await Task.sleep(for: (configuration.restartDelay ?? .zero))
    }

    /// Backs `data/` up into a new `<DAEMON_DATA_BACKUP_DIR>/data-backup-<name>-<UTC time>` (``DataBackup``:
    /// clones or hard links for table files, copies of the rest, fsynced, renamed into place when complete)
    /// and records it in ``backups``. Cosmovisor's log lines, with the method and byte counts added.
    func backup(_ plan: RunPlan) async throws(AgentError) {
        let upgrade: String
        do {
            upgrade = try UpgradeName(plan.name, recase: false).directory
        } catch {
            throw AgentError(.step, "error while taking data backup: \(error)")
        }
        let started = Date()
        logger.info("starting to take backup of data directory", metadata: ["backup start time": "\(started)"])
        let backup = DataBackup(dataDirectory: configuration.dataDirectory, backupDirectory: configuration.backupDir)
        let height = plan.height
        let result: DataBackup.Result
        do {
            result = try await BinaryDownloader.offPool { () throws(AgentError) in
                try backup.take(upgrade: upgrade, height: height, at: started)
            }
        } catch {
            throw AgentError(.step, "error while taking data backup: \(error)")
        }
        backups.record(result, upgrade: plan.name)
        logger.info(
            "backup completed",
            metadata: [
                "backup saved at": "\(result.path)",
                "backup completion time": "\(Date())",
                "time taken to complete backup": "\(result.seconds)s",
                "method": "\(result.method.rawValue)",
                "bytes copied": "\(result.bytesCopied)",
                "bytes linked": "\(result.bytesShared)",
            ]
        )
    }

    /// Downloads the upgrade's binary (spec §5.7 step 2, §5.8) when `upgrades/<dir>/bin/<daemon>` is missing and
    /// `DAEMON_ALLOW_DOWNLOAD_BINARIES` is on, with `prepare-upgrade`'s downloader (``UpgradePreparer``): the
    /// same checksum, local-source, size and archive rules, staged under `upgrades/` and moved into place
    /// only when verified, so a failure leaves no half directory and never blocks a retry. Without
    /// downloads, or with the binary present, it does nothing (the switch reports a missing binary).
    func downloadIfMissing(_ plan: RunPlan) async throws(AgentError) {
        guard configuration.allowDownload else { return }
        let name: UpgradeName
        do {
            name = try UpgradeName(plan.name, recase: false)
        } catch {
            throw AgentError(.step, "\(error)")
        }
        let binary = configuration.layout.upgradeBinary(for: name)
        if access(binary, F_OK) == 0 { return }
        logger.info("no upgrade binary found, beginning to download it")
        do {
            _ = try await UpgradePreparer(configuration: configuration).prepare(plan.upgradePlan, logger: logger)
        } catch {
            throw AgentError(
                .download,
                "cannot download the binary of upgrade \(plan.name) at height \(plan.height); "
                    + "the node stays stopped: \(error)"
            )
        }
        logger.info("downloading binary complete")
    }

    /// `COSMOVISOR_CUSTOM_PREUPGRADE`: `<root>/<value> <name as written> <height>` in `$DAEMON_HOME`.
    func customPreUpgrade(_ plan: RunPlan) async throws(AgentError) {
        let script = configuration.root + "/" + configuration.customPreUpgrade
        logger.info("looking for COSMOVISOR_CUSTOM_PREUPGRADE file", metadata: ["file": "\(script)"])
        var info = stat()
        guard stat(script, &info) == 0 else {
            logger.error("COSMOVISOR_CUSTOM_PREUPGRADE file missing", metadata: ["file": "\(script)"])
            throw .step("stat \(script)", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw AgentError(
                .step,
                "COSMOVISOR_CUSTOM_PREUPGRADE: \((script as NSString).lastPathComponent) is not a regular file"
            )
        }
        if info.st_mode & S_IXUSR == 0, chmod(script, info.st_mode | S_IXUSR) != 0 {
            logger.error("COSMOVISOR_CUSTOM_PREUPGRADE could not add execute permission")
            throw AgentError(.step, "COSMOVISOR_CUSTOM_PREUPGRADE could not add execute permission")
        }
        let run: CapturedRun
        do {
            run = try await ChildProcess.capture(
                script,
                arguments: [plan.rawName, "\(plan.height)"],
                directory: configuration.home
            )
        } catch {
            throw AgentError(.step, "\(error)")
        }
        guard run.status.isSuccess else { throw AgentError(.step, "\(run.status)") }
        logger.info(
            "COSMOVISOR_CUSTOM_PREUPGRADE result",
            metadata: [
                "command": "\(script)", "argv1": "\(plan.rawName)", "argv2": "\(plan.height)",
                "result": "\(run.output)",
            ]
        )
    }

    /// Points `current` at `upgrades/<dir>`: the record is written first, then the link is renamed into place,
    /// so a crash leaves either the old state or the complete new one.
    func switchBinary(_ plan: RunPlan) throws(AgentError) {
        let name: UpgradeName
        do {
            name = try UpgradeName(plan.name, recase: false)
        } catch {
            throw AgentError(.step, "\(error)")
        }
        let layout = configuration.layout
        do {
            try AgentError.ensureExecutable(layout.upgradeBinary(for: name))
        } catch {
            throw AgentError(.step, "binary not present, downloading disabled: \(error)")
        }
        let durability: Durability = self.durability.map { .deferred($0) } ?? .immediate
        do {
            let record = layout.upgradeRecord(for: name)
            try AtomicFile.write(plan.upgradePlan.jsonData(), to: record, durability: durability)
        } catch {
            throw AgentError(.step, "\(error)")
        }
        do {
            let target = layout.linkTarget(for: name)
            try AtomicSymlink.replace(link: layout.current, target: target, durability: durability)
        } catch {
            throw AgentError(.step, "creating current symlink: \(error)")
        }
        // The manual schedule's entry is done once `current` has switched (ManualUpgradeSchedule contract).
        if var schedule = try? ManualUpgradeSchedule.read(from: layout.manualUpgradesFile),
            schedule.remove(named: plan.name)
        {
            try? schedule.write(to: layout.manualUpgradesFile)
        }
    }

    /// `<current bin> pre-upgrade`, in the agent's working directory (the root), stdout captured.
    func preUpgrade() async -> ChildExit {
        do {
            let run = try await ChildProcess.capture(configuration.currentBinary, arguments: ["pre-upgrade"])
            if run.status.isSuccess { logger.info("pre-upgrade result", metadata: ["result": "\(run.output)"]) }
            return run.status
        } catch {
            // Cannot execute: cosmovisor counts this as "some other failure", i.e. success.
            return .exited(127)
        }
    }

    /// The current-upgrade record behind `current` (`current/upgrade-info.json`); genesis when absent.
    func appliedUpgrade() -> Supervisor.StateMachine.AppliedUpgrade {
        guard let data = FileManager.default.contents(atPath: configuration.currentLink + "/upgrade-info.json"),
            case .success(let plan) = RunPlan.parse(data, path: "", disableRecase: true)
        else { return .genesis }
        return .init(name: plan.name, height: plan.height)
    }
}
