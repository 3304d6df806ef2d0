import ArgumentParser
import FleetCore
import Foundation

/// `fleet rollback NAME`: nodes on release NAME go back to the release they ran before, gated.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Switch nodes on a release back to the release they ran before, in the safe order, gated.",
        discussion: """
            The release before is the `from` of the last switch to NAME in the agent's state file (its \
            `switches` record). Same order, voting-power bound, interlock and gates as rollout. Refused \
            (exit 3) without --force on a node whose chain reached a height recorded for upgrade NAME \
            (data/upgrade-info.json, upgrades/<dir>/upgrade-info.json, manual-upgrades.json): the old binary \
            cannot run past an executed migration. Nodes not on NAME are left alone.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: RolloutOptions

    @Flag(help: "Roll back even where the chain passed an upgrade height recorded for NAME.")
    var force = false

    @Argument(help: "The release to leave (upgrade name).")
    var name: String

    func run() async throws {
        let session = try await RolloutSession.open(global: global, options: options, command: "rollback", name: name)
        var nodes: [RolloutNode] = []
        var migrated: [String] = []
        var unknown: [String] = []
        for host in session.selected {
            let observation = session.observation(host.name)
            let release = try session.release(on: host)
            guard observation.currentRelease == release else { continue }
            if let record = RollbackCheck.executedMigration(
                of: release, records: observation.records, height: observation.chain?.height)
            {
                let at = (observation.chain?.height).map { "the chain is at height \($0)" } ?? "its height is unknown"
                migrated.append(
                    "\(host.name): \(at), upgrade \(record.name) was recorded at height \(record.height) "
                        + "(\(record.file))")
                if !force { continue }
            }
            guard let previous = RollbackCheck.previousRelease(of: release, switches: observation.state?.switches ?? [])
            else {
                unknown.append(host.name)
                continue
            }
            nodes.append(
                RolloutNode(
                    name: host.name, role: host.role, votingPower: session.power(of: host), current: release,
                    target: previous, targetStaged: observation.staged(previous), running: observation.nodeRunning))
        }
        if !migrated.isEmpty && !force {
            try session.refuse(
                RolloutRefusal(
                    .safety,
                    "the chain already executed the migration of \(name): \(migrated.joined(separator: "; ")); the "
                        + "binary before it cannot run past it (--force to roll back anyway)",
                    hosts: migrated.map { String($0.prefix { $0 != ":" }) }))
        }
        if !unknown.isEmpty {
            try session.refuse(
                RolloutRefusal(
                    .notReady,
                    "no switch to \(name) in the agent's record on \(unknown.joined(separator: ", ")): the release "
                        + "before it is unknown (switch by hand with node-agent switch)",
                    hosts: unknown))
        }
        try await session.execute(nodes)
    }
}
