import FleetCore
import Foundation

/// How `fleet status --watch` puts each refresh out: pure, so tests read the exact bytes.
///
/// - `screen` (stdout is a terminal): the cursor goes home and every line is rewritten in place, each
///   cleared to its end (`ESC[K`) and the rest of the screen below the frame cleared (`ESC[J`), all in
///   one write: no blank screen between frames, so no flicker.
/// - `log` (stdout is a file or a pipe): each frame is printed after a `--- ` separator line carrying the
///   header, so the output is a readable log of refreshes.
/// - `json`: one compact JSON document per line per refresh.
struct StatusWatchFrame {
    /// Where the frames go.
    enum Mode: Equatable {
        case screen
        case log
        case json
    }

    /// What the header line says about one refresh.
    struct Refresh: Equatable {
        /// When the refresh finished.
        var time: Date
        /// How long reading every node took.
        var took: Duration
        /// Nodes that answered.
        var reachable: Int
        /// Nodes selected.
        var total: Int
        /// The time between refreshes.
        var interval: Duration
    }

    var mode: Mode

    /// Written once before anything else on a terminal: hide the cursor, clear the screen.
    static let screenStart = "\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    /// Written once at the end on a terminal: show the cursor again, below the last frame.
    static let screenEnd = "\u{1B}[?25h\n"

    /// The refresh's milliseconds, rounded, as the header and `--json`'s `refresh_ms` give them.
    static func milliseconds(_ duration: Duration) -> Int {
        Int((Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15).rounded())
    }

    /// `2026-12-01T11:40:02Z  refresh 84 ms  31/32 reachable  every 2s`
    static func header(_ refresh: Refresh) -> String {
        "\(refresh.time.formatted(.iso8601))  refresh \(milliseconds(refresh.took)) ms  "
            + "\(refresh.reachable)/\(refresh.total) reachable  every \(GoDuration.format(refresh.interval))"
    }

    /// The bytes for one refresh whose rendered table (or JSON document, without a line break) is `body`.
    func render(_ refresh: Refresh, body: String) -> String {
        switch mode {
        case .screen:
            var lines = ["fleet status --watch  " + Self.header(refresh) + "  (Ctrl-C to stop)", ""]
            lines += body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return "\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J"
        case .log:
            return "--- " + Self.header(refresh) + "\n" + body + (body.hasSuffix("\n") ? "" : "\n")
        case .json:
            return body.replacingOccurrences(of: "\n", with: " ") + "\n"
        }
    }

    /// What a terminal shows while the sessions are first opened.
    static func connecting(_ count: Int) -> String {
        "\u{1B}[Hfleet status --watch: connecting to \(count) node\(count == 1 ? "" : "s")…\u{1B}[K\n\u{1B}[J"
    }
}
