import ArgumentParser
import FleetCore
import Foundation

/// `fleet preflight NAME`: is every node ready for upgrade NAME? A matrix of nodes × checks.
struct PreflightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check every selected node is ready for upgrade NAME: one row per node, one column per check.",
        discussion: """
            Checks: the binary staged in the directory the agent will look in (upgrades/<NAME recased>/bin/\
            <daemon_name>), the same sha256 on every node (and = --sha256), executable, `<bin> version` = \
            --version, free space for the data backup (unless UNSAFE_SKIP_BACKUP), node-agent running with \
            DAEMON_RESTART_AFTER_UPGRADE on, the node in sync, no double-sign risk, and with --height the \
            blocks left and an ETA. One SSH exec per node. Exit codes: 0 all green, 1 otherwise, 2 a bad \
            name or inventory.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The upgrade height: every node must be below it (blocks left and ETA shown).")
    var height: Int64?

    @Option(help: "The sha256 every node's staged binary must have.")
    var sha256: String?

    @Option(help: "What `<bin> version` must print.")
    var version: String?

    @Argument(help: "The upgrade name (as in `fleet stage NAME FILE`).")
    var name: String

    func validate() throws {
        if let height, height <= 0 { throw ValidationError("--height must be greater than 0") }
    }

    func run() async throws {
        let request = try Self.request(name: name, height: height, sha256: sha256, version: version)
        let (_, hosts) = try global.selectedHosts()
        let matrix = await Self.evaluate(request, hosts: hosts, global: global)
        if global.json {
            Terminal.out(String(decoding: try PreflightRenderer(terminal: .current).json(matrix), as: UTF8.self) + "\n")
        } else {
            Terminal.out(PreflightRenderer(terminal: .current).render(matrix))
        }
        if !matrix.isGreen { throw ExitCode(1) }
    }

    /// The checked request; a bad name or hash is printed and exits 2.
    static func request(
        name: String, height: Int64?, sha256: String?, version: String?
    ) throws
        -> PreflightMatrix.Request
    {
        do throws(StageError) {
            _ = try StageRequest.checkedName(name)
            let sha = try sha256.map { hex throws(StageError) in try StageRequest.checkedSHA256(hex) }
            return PreflightMatrix.Request(name: name, height: height, sha256: sha, version: version)
        } catch {
            Terminal.err("fleet: \(TerminalText.escaped(error.message, limit: TerminalText.messageLimit))\n")
            throw ExitCode(2)
        }
    }

    /// Reads every host and evaluates the matrix.
    static func evaluate(
        _ request: PreflightMatrix.Request, hosts: [InventoryHost], global: GlobalOptions
    ) async -> PreflightMatrix {
        let settings = SSHClientSettings(global)
        let readings = await PreflightCollector.collect(
            hosts: hosts, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
            now: Date().formatted(.iso8601), timeout: global.timeout, logger: global.logger)
        return PreflightMatrix(readings, request: request)
    }
}
