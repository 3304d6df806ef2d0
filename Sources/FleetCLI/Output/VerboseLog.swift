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
        Terminal.err("fleet: \(TerminalText.escaped(line, limit: TerminalText.messageLimit))\n")
    }

    func log(event: LogEvent) {
        var all = metadata
        all.merge(event.metadata ?? [:]) { _, new in new }
        let node = all.removeValue(forKey: "fleet.node")
        let host = (node ?? all.removeValue(forKey: "fleet.host")).map { "[\($0)] " } ?? ""
        let details = all.sorted { $0.key < $1.key }.map { key, value in
            "\(key.split(separator: ".").last ?? ""[...])=\(value)"
        }
        Self.write(([host + event.message.description] + details).joined(separator: " "))
    }
}
