import Foundation

/// Standard output and standard error, one `write(2)` per call.
struct Console: Sendable {
    /// The file descriptor written to.
    let fd: Int32

    /// Standard output (logs, `status`).
    static let standardOutput = Console(fd: STDOUT_FILENO)
    /// Standard error (cobra's `Print` output: `config`, `version`, `show-upgrade-info`; errors).
    static let standardError = Console(fd: STDERR_FILENO)

    /// Writes `text` as is.
    func write(_ text: String) {
        LogSink.fileDescriptor(fd).write(text)
    }
}
