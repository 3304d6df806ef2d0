import Foundation
import Logging

/// Builds the agent's one `Logger` from the configuration.
enum AgentLogger {
    /// The logger cosmovisor would use: a no-op when logs are disabled, else ``CosmovisorLogHandler``.
    ///
    /// Lines written to the journal (standard output is the stream `JOURNAL_STREAM` names, ``JournalStream``)
    /// carry no timestamp and no colour, whatever the configuration says: journald adds its own timestamp
    /// and shows escape codes as they are.
    ///
    /// - Parameters:
    ///   - configuration: supplies `disableLogs`, `colorLogs` and `timeFormat`.
    ///   - sink: where lines go (standard output by default).
    ///   - journal: whether the lines go to the journal; by default, whether standard output is its stream.
    static func make(
        _ configuration: AgentConfiguration,
        sink: LogSink = .standardOutput,
        journal: Bool = JournalStream.isConnected(STDOUT_FILENO, environment: ProcessInfo.processInfo.environment)
    ) -> Logger {
        make(
            disabled: configuration.disableLogs,
            color: configuration.colorLogs && !journal,
            timeFormat: journal ? nil : configuration.timeFormat,
            sink: sink
        )
    }

    /// A logger from the individual log settings.
    static func make(disabled: Bool, color: Bool, timeFormat: LogTimeFormat?, sink: LogSink = .standardOutput) -> Logger
    {
        if disabled { return Logger(label: "cosmovisor", factory: { _ in SwiftLogNoOpLogHandler() }) }
        return Logger(label: "cosmovisor") { _ in
            CosmovisorLogHandler(timeFormat: timeFormat, color: color, sink: sink)
        }
    }
}
