import Foundation
import Logging

/// A swift-log handler that prints cosmovisor's log lines (zerolog console format, spec §7).
///
/// `<timestamp> <LVL> <message> <key>=<value> … module=cosmovisor`: fields sorted by key, values with
/// spaces or quotes Go-quoted, arrays as JSON. The timestamp follows `COSMOVISOR_TIMEFORMAT_LOGS` and is
/// left out when that is empty; ANSI colours follow `COSMOVISOR_COLOR_LOGS`. Each line reaches the
/// sink in one piece, so the sink can write it with a single `write(2)` and lines never interleave with
/// the child's output mid-line.
struct CosmovisorLogHandler: LogHandler {
    /// Timestamp layout; `nil` = none.
    var timeFormat: LogTimeFormat?
    /// Whether to colour the line.
    var color: Bool
    /// Receives each finished line, newline included.
    var sink: LogSink
    /// Handler metadata (swift-log).
    var metadata: Logger.Metadata = ["module": "cosmovisor"]
    /// Minimum level.
    var logLevel: Logger.Level = .info
    /// Metadata provider (swift-log).
    var metadataProvider: Logger.MetadataProvider?
    /// The clock, replaceable in tests.
    var now: @Sendable () -> Date = { Date() }

    init(timeFormat: LogTimeFormat?, color: Bool, sink: LogSink) {
        self.timeFormat = timeFormat
        self.color = color
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        if let error = event.error { fields["error"] = .string("\(error)") }
        sink.write(line(level: event.level, message: event.message.description, fields: fields))
    }

    /// One formatted line, newline included.
    func line(level: Logger.Level, message: String, fields: Logger.Metadata) -> String {
        var parts: [String] = []
        if let timeFormat {
            parts.append(paint(LogTimestamp.format(now(), layout: timeFormat.goLayout), "90"))
        }
        let (label, code) = Self.level(level)
        parts.append(paint(label, code))
        if !message.isEmpty { parts.append(message) }
        for key in fields.keys.sorted() {
            let value = Self.render(fields[key]!)
            let shown = key == "error" || key == "err" ? paint(value, "31") : value
            parts.append(paint(key + "=", "36") + shown)
        }
        return parts.joined(separator: " ") + "\n"
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private static func level(_ level: Logger.Level) -> (String, String) {
        switch level {
        case .trace: ("TRC", "35")
        case .debug: ("DBG", "33")
        case .info, .notice: ("INF", "32")
        case .warning: ("WRN", "31")
        case .error, .critical: ("ERR", "1;31")
        }
    }

    /// zerolog's console rendering of one value.
    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return quoteIfNeeded(text)
        case .stringConvertible(let convertible): return quoteIfNeeded(convertible.description)
        case .array(let items): return "[" + items.map { GoDuration.goQuote(plain($0)) }.joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            let body = dictionary.keys.sorted().map {
                GoDuration.goQuote($0) + ":" + GoDuration.goQuote(plain(dictionary[$0]!))
            }
            return "{" + body.joined(separator: ",") + "}"
        }
    }

    private static func plain(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        default: render(value)
        }
    }

    private static func quoteIfNeeded(_ text: String) -> String {
        let needsQuote = text.unicodeScalars.contains { $0.value < 0x21 || $0.value > 0x7E || $0 == "\\" || $0 == "\"" }
        return needsQuote ? GoDuration.goQuote(text) : text
    }
}
