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

    /// Copies `data/` to `<DAEMON_DATA_BACKUP_DIR>/data-backup-<Y>-<M>-<D>` (local date, no zero padding),
    /// merging into an existing directory as cosmovisor does.
    func backup(_ plan: RunPlan) async throws(AgentError) {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let name = "data-backup-\(parts.tm_year + 1900)-\(parts.tm_mon + 1)-\(parts.tm_mday)"
        let destination = configuration.backupDir + "/" + name
        let started = Date()
        logger.info("starting to take backup of data directory", metadata: ["backup start time": "\(started)"])
        guard mkdir(destination, 0o755) == 0 || errno == EEXIST else {
            let reason = GoText.errno(errno, capitalized: true)
            throw AgentError(.step, "error while taking data backup: mkdir \(destination): \(reason)")
        }
        let run: CapturedRun
        do {
            run = try await ChildProcess.capture(
                "/bin/cp",
                arguments: ["-a", configuration.dataDirectory + "/.", destination + "/"]
            )
        } catch {
            throw AgentError(.step, "error while taking data backup: \(error)")
        }
        guard run.status.isSuccess else { throw AgentError(.step, "error while taking data backup: cp \(run.status)") }
        let finished = Date()
        logger.info(
            "backup completed",
            metadata: [
                "backup saved at": "\(destination)",
                "backup completion time": "\(finished)",
                "time taken to complete backup": "\(finished.timeIntervalSince(started))s",
            ]
        )
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
