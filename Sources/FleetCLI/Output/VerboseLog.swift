import FleetCore
import Foundation
import Logging

/// The `-v` log handler: one line per event on stderr, `fleet: [host] message key=value …`, with every
/// value escaped (host names and errors can come from files the operator did not write, or from nodes).
struct VerboseLog: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line as `-v` does.
    static func write(_ line: String) {
        Terminal.err(rendered(line))
    }

    /// `fleet: <line>` with control characters escaped, bounded, and a newline.
    static func rendered(_ line: String) -> String {
        "fleet: \(TerminalText.escaped(line, limit: TerminalText.messageLimit))\n"
    }

    /// `[node] message N ms (key=value, …)` from a log event's message and metadata.
    static func line(_ message: String, metadata: Logger.Metadata) -> String {
        var all = metadata
        let node = all.removeValue(forKey: "fleet.node")
        let host = (node ?? all.removeValue(forKey: "fleet.host")).map { "[\($0)] " } ?? ""
        let elapsed = all.removeValue(forKey: "fleet.ms").map { " \($0) ms" } ?? ""
        let details = all.sorted { $0.key < $1.key }.map { key, value in
            "\(key.split(separator: ".").last ?? ""[...])=\(value)"
        }
        let suffix = details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"
        return host + message + elapsed + suffix
    }

    func log(event: LogEvent) {
        Self.write(Self.line(event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
