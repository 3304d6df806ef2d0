import ArgumentParser
import Foundation
import Glibc
import Logging

/// `node-agent run <args…>`: start `current/bin/$DAEMON_NAME <args…>` and apply its upgrades (cosmovisor `run`).
///
/// Every argument after `run` goes to the child unchanged, flags included:
/// `node-agent run start --home X --foo` runs `<daemon> start --home X --foo`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node binary and apply its upgrades (cosmovisor run)."
    )

    /// The child's arguments, verbatim.
    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the node binary unchanged.")
    var arguments: [String] = []

    func run() async throws {
        let settings: RunSettings
        do {
            settings = try RunSettings.fromEnvironment(ProcessInfo.processInfo.environment, arguments: arguments)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // Like cosmovisor, the child inherits the root as its working directory (§5.1 step 2, Appendix A.8).
        guard chdir(settings.root) == 0 else {
            FileHandle.standardError.write(Data("Error: chdir \(settings.root): \(String(cString: strerror(errno)))\n".utf8))
            throw ExitCode(1)
        }
        let logger =
            settings.disableLogs
            ? Logger(label: "cosmovisor", factory: { _ in SwiftLogNoOpLogHandler() })
            : Logger(label: "cosmovisor", factory: { _ in RunLogHandler() })
        let code = await Supervisor(settings: settings, logger: logger).run()
        if code != 0 { throw ExitCode(code) }
    }
}
