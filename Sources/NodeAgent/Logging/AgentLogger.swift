import Logging

/// Builds the agent's one `Logger` from the configuration.
enum AgentLogger {
    /// The logger cosmovisor would use: a no-op when logs are disabled, else ``CosmovisorLogHandler``.
    ///
    /// - Parameters:
    ///   - configuration: supplies `disableLogs`, `colorLogs` and `timeFormat`.
    ///   - sink: where lines go (standard output by default).
    static func make(_ configuration: AgentConfiguration, sink: LogSink = .standardOutput) -> Logger {
        make(
            disabled: configuration.disableLogs,
            color: configuration.colorLogs,
            timeFormat: configuration.timeFormat,
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
