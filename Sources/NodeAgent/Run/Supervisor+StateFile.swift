import FleetCore
import Foundation
import Glibc
import Logging

extension Supervisor {
    /// Replaces the runtime state file (FleetCore ``AgentRuntimeState``, temp + fsync + rename, on the
    /// background queue so the switch never waits for a disk flush) when what it shows has changed, so
    /// `node-agent status --json` in another process sees pid, child, state and upgrades applied.
    ///
    /// - Parameter force: write even when only ``record`` itself changed (a switch record).
    func saveState(force: Bool = false) {
        notifySystemd()
        let snapshot = machine.snapshot
        defer {
            let (record, height) = (record, snapshot.lastHeight)
            publication.update {
                $0.record = record
                $0.lastHeight = height
            }
        }
        var next = record
        next.child.state = Self.publicState(snapshot.phase)
        if snapshot.childPid == nil, snapshot.phase != .startingChild {
            next.child.pid = nil
            next.child.startTicks = nil
            next.child.startedAt = nil
        }
        next.child.starts = childStarts
        next.child.upgradesApplied = snapshot.upgradesApplied
        next.lastBackup = steps.backups.lastBackup
        next.updatedAt = record.updatedAt
        guard force || next != record else { return }
        next.updatedAt = AgentRuntimeState.timestamp(Date())
        record = next
        durability.submit(record, to: configuration.effectiveStateFile)
    }

    /// The state file's vocabulary: `starting`, `running`, `stopping`, `upgrading`, `stopped`.
    static func publicState(_ phase: StateMachine.Phase) -> String {
        switch phase {
        case .running: return "running"
        case .stopping, .draining, .childExited: return "stopping"
        case .finished: return "stopped"
        case .upgrading: return "upgrading"
        case .switching: return "switching"
        case .parked: return "parked"
        case .starting, .checking, .startingChild: return "starting"
        }
    }

    /// Turns the next entry of the manual schedule (`add-upgrade --upgrade-height`, `add-batch-upgrade`,
    /// `fleet schedule`) into `data/upgrade-info.json` when that file holds no pending plan, the way
    /// cosmovisor's batch watcher does (§5.10) but ahead of time, as `add-upgrade` itself does. The plan then
    /// takes the normal path: the child runs with `--halt-height H` and the upgrade waits for the height gate.
    func promoteScheduledPlan() {
        let layout = configuration.layout
        guard let schedule = try? ManualUpgradeSchedule.read(from: layout.manualUpgradesFile),
            !schedule.upgrades.isEmpty
        else {
            return
        }
        let applied = machine.snapshot.applied
        guard
            let next = schedule.upgrades.first(where: {
                $0.height > applied.height && $0.name.lowercased() != applied.name.lowercased()
            })
        else { return }
        if let data = try? AtomicFile.read(layout.upgradeInfoFile),
            case .success(let plan) = RunPlan.parse(
                data,
                path: layout.upgradeInfoFile,
                disableRecase: configuration.disableRecase
            ),
            plan.name.lowercased() != applied.name.lowercased(), plan.height > applied.height
        {
            return  // a pending plan is already there (governance or add-upgrade)
        }
        // The flush goes to the background queue: no fsync on the cooperative pool, and the file can be
        // derived again from the schedule after a crash.
        try? AtomicFile.write(
            UpgradePlan(name: next.name, height: next.height).jsonData(),
            to: layout.upgradeInfoFile,
            mode: 0o600,
            durability: .deferred(durability)
        )
    }

    /// Takes over what the previous agent's state file says: its last backup (kept in the state file and
    /// `/metrics` until this agent takes a new one) and a node it left running (``stopLeftoverChild(_:)``).
    /// Called with the agent's lock held.
    ///
    /// - Returns: a reason to refuse starting: the state file cannot be read, or the node survived SIGKILL.
    func takeOverPreviousState() async -> String? {
        let old: AgentRuntimeState?
        do {
            old = try AgentRuntimeState.read(from: configuration.effectiveStateFile)
        } catch {
            return "cannot read the runtime state file: \(error); a node an earlier agent started may still "
                + "run: stop it, then remove \(configuration.effectiveStateFile)"
        }
        guard let old, old.pid != getpid() else { return nil }
        if let backup = old.lastBackup { steps.backups.carryOver(backup) }
        return await stopLeftoverChild(old)
    }

    /// Finds a node left running by an agent that was killed and stops its whole group (TERM, then KILL
    /// after `DAEMON_SHUTDOWN_GRACE`) before anything else happens, so the node never runs twice
    /// (deliberate fix 4). A node that kept the inherited lock, or another agent, has been refused already.
    ///
    /// The recorded child is ours only when its `/proc/<pid>/stat` start ticks are exactly the recorded
    /// ones (a reused pid is someone else's process).
    ///
    /// - Returns: a reason to refuse starting: the node survived SIGKILL.
    private func stopLeftoverChild(_ old: AgentRuntimeState) async -> String? {
        guard let pid = old.child.pid, let ticks = old.child.startTicks, ProcFS.isSameProcess(pid, startTicks: ticks)
        else { return nil }
        logger.warning(
            "stopping app left running by a previous agent",
            metadata: ["pid": "\(pid)", "previous agent pid": "\(old.pid)"]
        )
        let grace = (configuration.shutdownGrace ?? .zero)
        let stopped = await BlockingWork.run { () -> Bool in
            _ = ProcessGroupStop.stop(pid, grace: grace)
            // A node that left its group (setsid) is not reached through the group id.
            if ProcFS.isSameProcess(pid, startTicks: ticks) {
                kill(pid, SIGKILL)
                let deadline = ContinuousClock.now + .seconds(10)
                while ProcFS.isSameProcess(pid, startTicks: ticks), ContinuousClock.now < deadline { usleep(20_000) }
            }
            return !ProcFS.isSameProcess(pid, startTicks: ticks)
        }
        guard stopped else {
            return "the node left running by a previous agent (pid \(pid)) survived SIGKILL; refusing to start "
                + "a second copy of it"
        }
        return nil
    }
}
