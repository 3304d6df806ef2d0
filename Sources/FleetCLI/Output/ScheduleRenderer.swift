import FleetCore
import Foundation

/// `fleet schedule --json`: the final report, with the keys and layout of `fleet stage --json`.
enum ScheduleRenderer {
    /// The report as sorted, pretty JSON.
    static func json(_ report: ScheduleReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}
