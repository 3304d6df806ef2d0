import ArgumentParser
import FleetCore
import Foundation

/// `add-batch-upgrade --upgrade-list name:path:height,… | --upgrade-file batch.csv`: stage several
/// manual upgrades at once and write `data/upgrade-info.json.batch`.
struct AddBatchUpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-batch-upgrade",
        abstract: "Add APP upgrades binary to cosmovisor.",
        discussion: """
            Each entry is <name>:<path to executable>:<height>. Every binary is staged (overwriting), the \
            batch file is replaced with the plans, and the heights are recorded in \
            cosmovisor/.node-agent/manual-upgrades.json so `run` halts the node at each of them.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("upgrade-file"), help: "A headerless CSV file of name,path,height records.")
    var upgradeFile: String?

    @Option(name: .customLong("upgrade-list"), help: "name:path:height entries, comma-separated; repeatable.")
    var upgradeList: [String] = []

    func run() async throws(AgentError) {
        let configuration = try global.loadConfiguration()
        let batch: UpgradeBatch
        switch (upgradeFile, upgradeList.isEmpty) {
        case (nil, true):
            throw AgentError(.command, "either --upgrade-file or --upgrade-list must be provided")
        case (.some, false):
            throw AgentError(
                .command,
                "if any flags in the group [upgrade-file upgrade-list] are set none of the others can be; [upgrade-file upgrade-list] were all set"
            )
        case (let path?, true):
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw AgentError(
                    .command,
                    "error parsing upgrade CSV file \(path): open \(path): \(GoText.errno(ENOENT))"
                )
            }
            batch = try UpgradeBatch.parse(csv: text, path: path)
        case (nil, false):
            batch = try UpgradeBatch.parse(list: upgradeList)
        }
        try UpgradeStager(configuration: configuration, logger: AgentLogger.make(configuration)).addBatch(batch)
    }
}
