/// The named timestamp formats of `COSMOVISOR_TIMEFORMAT_LOGS` and their Go layouts.
///
/// The option names are case-sensitive, as in cosmovisor. ``goLayout`` is what `config` prints;
/// ``LogTimestamp`` renders a date with it.
enum LogTimeFormat: String, CaseIterable, Sendable {
    case layout, ansic, unixdate, rubydate, rfc822, rfc822z, rfc850, rfc1123, rfc1123z, rfc3339, rfc3339nano, kitchen

    /// The Go reference layout (`3:04PM` for kitchen).
    var goLayout: String {
        switch self {
        case .layout: "01/02 03:04:05PM '06 -0700"
        case .ansic: "Mon Jan _2 15:04:05 2006"
        case .unixdate: "Mon Jan _2 15:04:05 MST 2006"
        case .rubydate: "Mon Jan 02 15:04:05 -0700 2006"
        case .rfc822: "02 Jan 06 15:04 MST"
        case .rfc822z: "02 Jan 06 15:04 -0700"
        case .rfc850: "Monday, 02-Jan-06 15:04:05 MST"
        case .rfc1123: "Mon, 02 Jan 2006 15:04:05 MST"
        case .rfc1123z: "Mon, 02 Jan 2006 15:04:05 -0700"
        case .rfc3339: "2006-01-02T15:04:05Z07:00"
        case .rfc3339nano: "2006-01-02T15:04:05.999999999Z07:00"
        case .kitchen: "3:04PM"
        }
    }

    /// The option list shown in the error message.
    static let optionList = allCases.map(\.rawValue).joined(separator: "|")

    /// Parses an option value: `nil` for the empty string (no timestamp).
    ///
    /// - Throws: the cosmovisor message for any other unknown value.
    static func option(_ value: String) throws(ConfigurationProblem) -> LogTimeFormat? {
        if value.isEmpty { return nil }
        guard let format = LogTimeFormat(rawValue: value) else {
            throw ConfigurationProblem(
                "env variable \"COSMOVISOR_TIMEFORMAT_LOGS\" must have a timeformat value (\"\(optionList)\"), got \(GoDuration.goQuote(value))"
            )
        }
        return format
    }
}
