import ArgumentParser
import FleetCore
import Foundation

/// `show-upgrade-info`: print `data/upgrade-info.json` as is (stderr, as cosmovisor).
struct ShowUpgradeInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-upgrade-info",
        abstract: "Display current upgrade-info.json from <app> data directory."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration()
        let path = configuration.layout.upgradeInfoFile
        let data: Data?
        do {
            data = try AtomicFile.read(path)
        } catch {
            throw AgentError(.command, "failed to read upgrade-info.json: \(error)")
        }
        guard let data else {
            Console.standardError.write("No upgrade info found at \(path)\n")
            return
        }
        Console.standardError.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}
