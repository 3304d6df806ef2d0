import Foundation
import Glibc
import Logging

/// Writes cosmovisor-shaped log lines to stdout (§7): `<3:04PM> INF <message> key=value … module=cosmovisor`,
/// fields sorted by key, values with spaces quoted.
///
/// A stand-in until the shared logging of branch `agent-config` is merged; tests recognise agent lines
/// by their ` module=cosmovisor` field.
struct RunLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    /// Descriptor the lines go to.
    var fileDescriptor: Int32 = 1

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level: String
        switch event.level {
        case .trace, .debug: level = "DBG"
        case .info, .notice: level = "INF"
        case .warning: level = "WRN"
        case .error, .critical: level = "ERR"
        }
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        fields["module"] = "cosmovisor"
        let rendered = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.render($0.value))" }
        let line = ([Self.kitchenTime(), level, "\(event.message)"] + rendered).joined(separator: " ") + "\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fileDescriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
    }

    private static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .array(let items):
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            let data = (try? encoder.encode(items.map { "\($0)" })) ?? Data()
            return String(decoding: data, as: UTF8.self)
        default:
            let text = "\(value)"
            let needsQuotes = text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0.value < 0x20 }
            guard needsQuotes else { return text }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        }
    }

    /// Go's `time.Kitchen` (`3:04PM`) in local time.
    private static func kitchenTime() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let hour = parts.tm_hour % 12 == 0 ? 12 : parts.tm_hour % 12
        let minute = parts.tm_min < 10 ? "0\(parts.tm_min)" : "\(parts.tm_min)"
        return "\(hour):\(minute)\(parts.tm_hour < 12 ? "AM" : "PM")"
    }
}
