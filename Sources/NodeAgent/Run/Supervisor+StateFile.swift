import FleetCore
import Foundation
import Glibc
import Logging

extension Supervisor {
    /// Replaces the runtime state file (FleetCore ``AgentRuntimeState``, temp + fsync + rename, on the
    /// background queue so the switch never waits for a disk flush) when what it shows has changed, so
    /// `node-agent status --json` in another process sees pid, child, state and upgrades applied.
    func saveState() {
        let snapshot = machine.snapshot
        var next = record
        next.child.state = Self.publicState(snapshot.phase)
        if snapshot.childPid == nil, snapshot.phase != "starting-child" {
            next.child.pid = nil
            next.child.startedAt = nil
        }
        next.child.starts = childStarts
        next.child.upgradesApplied = snapshot.upgradesApplied
        next.updatedAt = record.updatedAt
        guard next != record else { return }
        next.updatedAt = AgentRuntimeState.timestamp(Date())
        record = next
        durability.submit(record, to: settings.stateFile)
    }

    /// The state file's vocabulary: `starting`, `running`, `stopping`, `upgrading`, `stopped`.
    static func publicState(_ phase: String) -> String {
        switch phase {
        case "running": return "running"
        case "stopping", "child-exited": return "stopping"
        case "finished": return "stopped"
        case _ where phase.hasPrefix("upgrading"): return "upgrading"
        default: return "starting"
        }
    }

    /// The lowest `--halt-height` from the manual schedule (`add-upgrade --upgrade-height`, `fleet schedule`)
    /// above the last known height, ignoring entries the applied upgrade already covers.
    func scheduledHaltHeight() -> Int64? {
        guard let schedule = try? ManualUpgradeSchedule.read(from: settings.layout.manualUpgradesFile) else {
            return nil
        }
        let applied = machine.snapshot.applied
        let floor = max(lastKnownHeight ?? 0, applied.height)
        return schedule.upgrades.first { $0.height > floor && $0.name.lowercased() != applied.name.lowercased() }?
            .height
    }

    /// Turns the next entry of the manual schedule (`add-upgrade --upgrade-height`, `add-batch-upgrade`,
    /// `fleet schedule`) into `data/upgrade-info.json` when that file holds no pending plan, the way
    /// cosmovisor's batch watcher does (§5.10) but ahead of time, as `add-upgrade` itself does. The plan then
    /// takes the normal path: the child runs with `--halt-height H` and the upgrade waits for the height gate.
    func promoteScheduledPlan() {
        let layout = settings.layout
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
                disableRecase: settings.disableRecase
            ),
            plan.name.lowercased() != applied.name.lowercased(), plan.height > applied.height
        {
            return  // a pending plan is already there (governance or add-upgrade)
        }
        try? AtomicFile.write(
            UpgradePlan(name: next.name, height: next.height).jsonData(),
            to: layout.upgradeInfoFile,
            mode: 0o600
        )
    }

    /// Finds a child left running by an agent that was killed (its pid and start time are in the state file)
    /// and stops its whole group before anything else happens, so the node never runs twice (deliberate fix 4).
    ///
    /// - Returns: a reason to refuse starting when another agent is still alive for this home.
    func stopLeftoverChild() async -> String? {
        guard let old = try? AgentRuntimeState.read(from: settings.stateFile), old.pid != getpid() else { return nil }
        if Self.isLive(old.pid),
            Self.commandLine(old.pid).contains("node-agent") || Self.commandLine(old.pid).contains("cosmovisor"),
            old.child.state != "stopped"
        {
            return "another node-agent (pid \(old.pid)) is running for \(settings.home)"
        }
        guard let pid = old.child.pid, let recorded = old.child.startedAt, Self.isLive(pid),
            let started = Self.startDate(of: pid),
            let recordedDate = try? Date(recorded, strategy: .iso8601),
            abs(started.timeIntervalSince(recordedDate)) < 3
        else { return nil }
        logger.warning(
            "stopping app left running by a previous agent",
            metadata: ["pid": "\(pid)", "previous agent pid": "\(old.pid)"]
        )
        let alive = {
            Self.isLive(pid) && Self.startDate(of: pid).map { abs($0.timeIntervalSince(started)) < 1 } == true
        }
        if settings.shutdownGrace > .zero {
            killpg(pid, SIGTERM)
            let deadline = ContinuousClock.now + settings.shutdownGrace
            while alive(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        }
        killpg(pid, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while alive(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return nil
    }

    /// Whether a process (not our child, so it cannot be waited for) is alive and not a zombie.
    static func isLive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard
            let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat").map({
                String(decoding: $0, as: UTF8.self)
            }),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// When a process started (wall clock, from `/proc/<pid>/stat` starttime and `/proc/stat` btime).
    static func startDate(of pid: Int32) -> Date? {
        guard let ticks = ChildProcess.startTime(of: pid),
            let stat = FileManager.default.contents(atPath: "/proc/stat").map({ String(decoding: $0, as: UTF8.self) }),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(line.dropFirst(6))
        else { return nil }
        return Date(timeIntervalSince1970: boot + Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    static func commandLine(_ pid: Int32) -> String {
        let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
}
