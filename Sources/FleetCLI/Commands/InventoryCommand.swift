import ArgumentParser
import FleetCore
import Foundation

/// `fleet inventory [list|check]`: what fleet makes of the inventory.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Parse the inventory and show hosts, roles and resolved variables.",
        subcommands: [List.self, Check.self],
        defaultSubcommand: List.self
    )

    /// `fleet inventory list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the selected hosts and their variables.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            // Secrets (ansible_password, ansible_become_pass, key passphrases, …) are masked everywhere.
            let hosts = try global.selectedHosts().hosts.map(\.redacted)
            if global.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                Terminal.out(String(decoding: try encoder.encode(hosts), as: UTF8.self) + "\n")
                return
            }
            var table = TextTable(headers: [
                "HOST", "ROLE", "ADDRESS", "PORT", "USER", "DAEMON", "DAEMON_HOME", "GROUPS",
            ])
            for host in hosts {
                let cells = [
                    host.name, host.role.rawValue, host.address, String(host.port), host.user ?? "-",
                    host.daemonName ?? "-", host.daemonHome ?? "-", host.groups.joined(separator: ","),
                ]
                table.rows.append(.cells(cells.map { TerminalText.escaped($0) }))
            }
            Terminal.out(table.render())
        }
    }

    /// `fleet inventory check`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the inventory: exit 0 when every selected host has what fleet needs, 2 otherwise."
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (inventory, hosts) = try global.selectedHosts()
            let problems = hosts.flatMap { host in
                [("daemon_name", host.daemonName), ("daemon_home", host.daemonHome)]
                    .filter { $0.1 == nil }
                    .map { "\(host.name): \($0.0) is not set" }
            }
            let location = global.inventoryLocation
            if global.json {
                let report = CheckReport(
                    problems: problems, hosts: hosts.map(\.name), sources: location.sources, origin: location.reason)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                Terminal.out(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
            } else {
                for problem in problems { Terminal.err("fleet: \(TerminalText.escaped(problem))\n") }
                if !global.verbose { Terminal.out(TerminalText.escaped(location.description) + "\n") }
                Terminal.out(
                    "\(hosts.count) hosts selected of \(inventory.hosts.count), "
                        + "\(inventory.groups.count) groups, \(problems.isEmpty ? "ok" : "\(problems.count) problems")\n"
                )
            }
            if !problems.isEmpty { throw ExitCode(2) }
        }

        /// `fleet inventory check --json`.
        struct CheckReport: Encodable {
            var problems: [String]
            var hosts: [String]
            /// The inventory sources read, and what chose them (`-i`, `ansible.cfg at …`).
            var sources: [String]
            var origin: String
        }
    }
}
