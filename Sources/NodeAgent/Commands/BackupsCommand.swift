import ArgumentParser
import FleetCore
import Foundation

/// `backups`: the data backups in `DAEMON_DATA_BACKUP_DIR`, newest first, with their sizes.
struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List the data backups in DAEMON_DATA_BACKUP_DIR, newest first, with their sizes.",
        discussion: """
            SIZE is the sum of the files' sizes; UNIQUE is what only that backup holds on disk (files \
            hard-linked with data/ or another backup, and cloned files, are not counted): what deleting it frees.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print what the next upgrade's backup would need (and the free space) instead of the list.")
    var estimate = false

    @Flag(help: "Print the list (or, with --estimate, the estimate) as one JSON document.")
    var json = false

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration(validation: .minimal)
        if estimate {
            let result = try await BackupEstimator(configuration: configuration).estimate()
            if json {
                try printJSON("the estimate", result.encoded)
            } else {
                Console.standardOutput.write(BackupEstimator.summary(result))
            }
            return
        }
        let items = try BackupCatalog.list(configuration.backupDir)
        if json {
            try printJSON("the backups", BackupListing(backupDir: configuration.backupDir, items: items).encoded)
            return
        }
        guard !items.isEmpty else {
            Console.standardOutput.write("no backups in \(configuration.backupDir)\n")
            return
        }
        var rows = [["NAME", "CREATED", "METHOD", "SIZE", "UNIQUE"]]
        for item in items {
            rows.append([
                TerminalText.escaped(item.name), AgentRuntimeState.timestamp(item.created),
                item.method?.rawValue ?? "-", BackupCatalog.human(item.apparentBytes),
                BackupCatalog.human(item.uniqueBytes),
            ])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let text = rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        Console.standardOutput.write(text.joined(separator: "\n") + "\n")
    }

    /// Prints the document `encode` makes, on one line.
    private func printJSON(_ what: String, _ encode: () throws -> Data) throws(AgentError) {
        let data: Data
        do {
            data = try encode()
        } catch {
            throw AgentError(.command, "cannot encode \(what) as JSON: \(error)")
        }
        Console.standardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}
