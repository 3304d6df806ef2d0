import FleetCore

/// Go duration text, for the agent's files: forwards to FleetCore's one implementation (`fleet --timeout`
/// reads it too), so agent files keep their spelling without each importing FleetCore.
enum GoDuration {
    /// A parse failure, worded as Go's (`time: invalid duration "bad"`); the configuration reports it as
    /// a ``ConfigurationProblem`` of an ``AgentError``.
    struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Parses `text` like `time.ParseDuration`; nanoseconds.
    static func parse(_ text: String) throws(ParseError) -> Int64 {
        do {
            return try FleetCore.GoDuration.parse(text)
        } catch {
            throw ParseError(description: error.description)
        }
    }

    /// Go's `Duration.String` of `nanoseconds`.
    static func format(_ nanoseconds: Int64) -> String { FleetCore.GoDuration.format(nanoseconds) }

    /// Go's `Duration.String` of `duration`.
    static func format(_ duration: Duration) -> String { FleetCore.GoDuration.format(duration) }

    /// `duration` in nanoseconds.
    static func nanoseconds(_ duration: Duration) -> Int64 { FleetCore.GoDuration.nanoseconds(duration) }

    /// Go's `%q` of `text`.
    static func goQuote(_ text: String) -> String { FleetCore.GoDuration.goQuote(text) }
}
