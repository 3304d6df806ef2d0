import FleetCore
import Foundation
import Logging

/// What `init` does (cosmovisor `InitializeCosmovisor`, spec §4), with the same checks, log lines and
/// errors, in the same order.
struct AgentInitializer {
    /// The environment the configuration is read from.
    var environment: [String: String]
    /// Answers the overwrite question for an existing config.toml.
    var prompt: OverwritePrompt
    /// Where log lines go.
    var sink: LogSink = .standardOutput

    /// Runs `init` with its positional arguments.
    ///
    /// - Throws: ``AgentError`` (`command` or `configuration`), before any log line for argument and
    ///   configuration problems.
    func initialize(arguments: [String]) throws(AgentError) {
        guard arguments.count == 1 else { throw AgentError.argumentCount(expected: 1, received: arguments.count) }
        let executable = arguments[0]
        if executable.isEmpty { throw AgentError(.command, "no <path to executable> provided") }
        var info = stat()
        if stat(executable, &info) != 0 {
            let code = errno
            let reason = "stat \(executable): \(GoText.errno(code))"
            throw AgentError(
                .command,
                code == ENOENT ? "executable file not found: \(reason)" : "could not stat executable: \(reason)"
            )
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw AgentError(.command, "invalid path to executable: must not be a directory")
        }
        let (configuration, parseProblems) = AgentConfiguration.parse { environment[$0].map(ConfigValue.string) }
        let problems = parseProblems + configuration.minimalProblems()
        if !problems.isEmpty { throw AgentError.configuration(problems) }

        let logger = AgentLogger.make(configuration, sink: sink)
        let layout = configuration.layout
        try prepareGenesis(layout, executable: executable, logger: logger)

        logger.info("checking on the current symlink and creating it if needed")
        let current = try CurrentLink.resolveOrCreateGenesis(layout)
        logger.info("the current symlink points to: \(GoDuration.goQuote(current))")

        let path = try export(configuration, logger: logger)
        logger.info("cosmovisor config.toml created at: \(path)")
    }

    private func prepareGenesis(_ layout: CosmovisorLayout, executable: String, logger: Logger) throws(AgentError) {
        logger.info("checking on the genesis/bin directory")
        let directory = layout.genesisBinDirectory
        switch AgentConfiguration.statDirectory(directory) {
        case .failure(let failure) where failure.errno == ENOENT:
            logger.info("creating directory (and any parents): \(GoDuration.goQuote(directory))")
            do {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o750]
                )
            } catch {
                throw AgentError(.command, "mkdir \(directory): \(error.localizedDescription)")
            }
        case .failure(let failure):
            throw AgentError(.command, "error getting info on genesis/bin directory: \(failure)")
        case .success(false):
            throw AgentError(
                .command, "the path \(GoDuration.goQuote(directory)) already exists but is not a directory")
        case .success(true):
            logger.info("the \(GoDuration.goQuote(directory)) directory already exists")
        }

        logger.info("checking on the genesis/bin executable")
        let binary = layout.genesisBinary
        var info = stat()
        if lstat(binary, &info) != 0 && errno == ENOENT {
            logger.info("copying executable into place: \(GoDuration.goQuote(binary))")
            do {
                try AtomicFile.copy(from: executable, to: binary, mode: 0o755)
            } catch {
                throw AgentError(.command, error)
            }
        } else {
            logger.info("the \(GoDuration.goQuote(binary)) file already exists")
        }
        logger.info("making sure \(GoDuration.goQuote(binary)) is executable")
        do {
            try ExecutableFile.ensure(binary)
        } catch {
            throw AgentError(.command, error)
        }
    }

    /// Writes config.toml unless it exists and the operator declines; returns its path.
    private func export(_ configuration: AgentConfiguration, logger: Logger) throws(AgentError) -> String {
        let path = configuration.layout.configFile
        if FileManager.default.fileExists(atPath: path) {
            let question = "file \(path) already exists, do you want to overwrite it?"
            if !prompt.confirm(question) {
                logger.info("file already exists, not overriding")
                return path
            }
        }
        do {
            try AtomicFile.write(Data(configuration.tomlDocument.text.utf8), to: path, mode: 0o644)
        } catch {
            throw AgentError(.command, "failed to export configuration: failed to create configuration file: \(error)")
        }
        return path
    }
}
