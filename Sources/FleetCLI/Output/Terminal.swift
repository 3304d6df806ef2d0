import Foundation

/// Where `fleet` writes, and whether it may colour what it writes.
struct Terminal: Sendable {
    /// Whether SGR colour codes are used: stdout is a TTY and `NO_COLOR` is unset (https://no-color.org).
    var color: Bool
    /// Whether stdout is a terminal, so raw output from nodes must have its control characters escaped.
    var isTTY: Bool

    /// The terminal of this process.
    static var current: Terminal {
        let env = ProcessInfo.processInfo.environment
        let wanted = env["NO_COLOR"].map(\.isEmpty) ?? true
        let tty = isatty(STDOUT_FILENO) == 1
        return Terminal(color: wanted && (tty || env["FORCE_COLOR"] != nil), isTTY: tty)
    }

    /// Colours for severities and states.
    enum Style: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case magenta = "35"
        case bold = "1"
        case dim = "2"
        case boldRed = "1;31"
    }

    /// `text` in `style`, or as is without colour.
    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Writes `text` to stdout with one write.
    static func out(_ text: String) { write(STDOUT_FILENO, text) }

    /// Writes `text` to stderr with one write.
    static func err(_ text: String) { write(STDERR_FILENO, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
