import ArgumentParser
import Foundation
import Glibc

/// `systemd-unit [--user U] [--exec PATH]`: print a systemd unit for this environment (the settings that
/// are set become `Environment=` lines), to save as `/etc/systemd/system/cosmovisor.service`.
struct SystemdUnitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systemd-unit",
        abstract: "Print a systemd unit (Type=notify, watchdog) that runs this agent with the current settings."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit's User= (default: the user running this command).")
    var user: String?

    @Option(name: .customLong("exec"), help: "The agent binary ExecStart= runs (default: this binary).")
    var executable: String?

    func validate() throws {
        if let user, user.isEmpty || !user.unicodeScalars.allSatisfy(Self.isUserNameScalar) {
            throw ValidationError(
                "--user \(GoDuration.goQuote(user)): not a user name (letters, digits, '.', '_', '-')")
        }
        if let executable, !executable.hasPrefix("/") {
            throw ValidationError("--exec \(GoDuration.goQuote(executable)): must be an absolute path")
        }
    }

    func run() async throws(AgentError) {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try global.loadConfiguration(environment: environment)
        let agent: String
        if let executable { agent = executable } else { agent = try Self.currentExecutable() }
        let unit = SystemdUnit(
            executable: agent,
            home: configuration.home,
            daemonName: configuration.name,
            user: user ?? Self.currentUser(),
            configFile: global.cosmovisorConfig.isEmpty ? nil : Self.absolute(global.cosmovisorConfig),
            environment: SystemdUnit.variables(in: environment),
            shutdownGrace: configuration.shutdownGrace,
            pollInterval: configuration.pollInterval
        )
        Console.standardOutput.write(unit.text)
    }

    private static func isUserNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            || "._-".unicodeScalars.contains(scalar)
    }

    /// This process's binary, links resolved (`/proc/self/exe`).
    static func currentExecutable() throws(AgentError) -> String {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw AgentError(.command, "cannot read /proc/self/exe to find this binary; pass --exec PATH")
        }
        return path
    }

    /// The name of the effective user.
    static func currentUser() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
