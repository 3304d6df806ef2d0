import ArgumentParser
import FleetCore
import Foundation

/// Options every `fleet` command takes (product brief §2).
struct GlobalOptions: ParsableArguments {
    @Option(
        name: [.customShort("i"), .long],
        help: "Inventory file (default: $FLEET_INVENTORY, else ./inventory.yml, .yaml or .ini).")
    var inventory: String?

    @Option(
        name: [.customShort("l"), .long], help: "Select hosts with an Ansible pattern (e.g. 'sentries:!sentry-2').")
    var limit: String?

    @Option(name: [.customShort("f"), .long], help: "Hosts worked on at once.")
    var parallel: Int = 32

    @Flag(help: "Machine-readable output.")
    var json = false

    @Option(help: "known_hosts file to check host keys against (default: ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(help: "Accept and record host keys of hosts not yet in known_hosts (never a changed key).")
    var acceptNewHostKeys = false

    @Flag(name: .customShort("v"), help: "Say more.")
    var verbose = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    /// The inventory file to read.
    var inventoryPath: String {
        if let inventory { return inventory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["FLEET_INVENTORY"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let candidates = ["inventory.yml", "inventory.yaml", "inventory.ini"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }

    /// Loads the inventory and applies `--limit`; an error is printed and becomes exit code 2.
    func selectedHosts() throws -> (inventory: Inventory, hosts: [InventoryHost]) {
        do {
            let inventory = try InventoryLoader.load(path: inventoryPath)
            let hosts = try limit.map { try inventory.select($0) } ?? inventory.hosts
            return (inventory, hosts)
        } catch {
            Terminal.err(
                "fleet: \(TerminalText.escaped(String(describing: error), limit: TerminalText.messageLimit))\n")
            throw ExitCode(2)
        }
    }
}
