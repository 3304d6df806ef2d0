import Foundation

/// Where finished log lines go.
struct LogSink: Sendable {
    /// Writes one line.
    let write: @Sendable (String) -> Void

    /// A file descriptor, one `write(2)` per line (retrying short writes).
    static func fileDescriptor(_ fd: Int32) -> LogSink {
        LogSink { line in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes {
                    Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Standard output, where cosmovisor logs.
    static let standardOutput = fileDescriptor(STDOUT_FILENO)
}
