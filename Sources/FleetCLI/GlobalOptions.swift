import ArgumentParser
import FleetCore
import Foundation
import Logging

/// Options every `fleet` command takes (product brief §2), before or after the command name
/// (``FleetInvocation`` moves them; its table lists these same names).
struct GlobalOptions: ParsableArguments {
    @Option(
        name: [.customShort("i"), .long],
        help: ArgumentHelp(
            "Inventory: a file, a directory, an executable or host1,host2 (repeatable).",
            discussion: """
                Default: $FLEET_INVENTORY, else $ANSIBLE_INVENTORY, else `inventory =` in ansible.cfg, \
                else ./inventory.yml, .yaml or .ini.
                """))
    var inventory: [String] = []

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

    @Option(
        help: ArgumentHelp(
            "Longest one host may take, e.g. 10s, 2m (a bare number is seconds).",
            discussion: "Default: 10 s to connect, then the command's own limit (status 30 s, exec 300 s).",
            valueName: "duration"),
        transform: GlobalOptions.duration)
    var timeout: Duration?

    @Flag(
        name: [.customShort("v"), .long],
        help: "Say where the inventory came from, and per host the SSH steps and timings.")
    var verbose = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    }

    /// `--timeout`'s value: a Go duration (`10s`, `1m30s`, `500ms`) or a number of seconds; must be positive.
    static func duration(_ text: String) throws -> Duration {
        let nanoseconds: Int64
        if let seconds = Int64(text) {
            nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow ? -1 : seconds * 1_000_000_000
        } else {
            do { nanoseconds = try GoDuration.parse(text) } catch { throw ValidationError(error.description) }
        }
        guard nanoseconds > 0 else { throw ValidationError("--timeout must be positive, got \(text)") }
        return .nanoseconds(nanoseconds)
    }

    /// Where the inventory is, and why (``InventoryLocator`` over this process's environment).
    var inventoryLocation: InventoryLocation {
        let env = ProcessInfo.processInfo.environment
        let manager = FileManager.default
        return InventoryLocator.locate(
            options: inventory,
            environment: .init(
                variables: env,
                currentDirectory: manager.currentDirectoryPath,
                homeDirectory: env["HOME"] ?? NSHomeDirectory(),
                exists: { access($0, R_OK) == 0 },
                isDirectory: { path in
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                        && isDirectory.boolValue
                },
                isWorldWritable: { path in
                    var info = stat()
                    return stat(path, &info) == 0 && info.st_mode & S_IWOTH != 0
                },
                read: { try? String(contentsOfFile: $0, encoding: .utf8) }
            ))
    }

    /// The inventory sources as one string, for messages (`a.ini, dir/`).
    var inventoryPath: String { inventoryLocation.sources.joined(separator: ", ") }

    /// Bounds on dynamic-inventory executables: `FLEET_INVENTORY_TIMEOUT` (a Go duration), default 30 s.
    func sourceOptions() throws -> InventoryLoader.SourceOptions {
        var options = InventoryLoader.SourceOptions()
        if let text = ProcessInfo.processInfo.environment["FLEET_INVENTORY_TIMEOUT"], !text.isEmpty {
            do {
                options.scriptTimeout = try Self.duration(text)
            } catch {
                throw InventoryError(
                    code: .inventoryScript, file: "",
                    message: "FLEET_INVENTORY_TIMEOUT=\(text) is not a duration such as 30s or 2m")
            }
        }
        return options
    }

    /// Loads the inventory and applies `--limit`; an error is printed and becomes exit code 2.
    func selectedHosts() throws -> (inventory: Inventory, hosts: [InventoryHost]) {
        let location = inventoryLocation
        if verbose { VerboseLog.write(location.description) }
        do {
            let inventory = try InventoryLoader.load(sources: location.sources, options: try sourceOptions())
            let hosts = try limit.map { try inventory.select($0) } ?? inventory.hosts
            return (inventory, hosts)
        } catch {
            Terminal.err(
                "fleet: \(TerminalText.escaped(String(describing: error), limit: TerminalText.messageLimit))\n")
            throw ExitCode(2)
        }
    }

    /// The logger the SSH layer and the collectors report to: steps and timings on stderr under `-v`,
    /// nothing otherwise.
    var logger: Logger {
        guard verbose else { return SSHConnection.silentLogger }
        var logger = Logger(label: "fleet", factory: { _ in VerboseLog() })
        logger.logLevel = .debug
        return logger
    }
}
