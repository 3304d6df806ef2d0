import Foundation

/// Reads upload bytes from a local file (POSIX reads) or from memory.
final class UploadReader {
    /// Where upload bytes come from.
    enum Source {
        /// A local file, read with POSIX reads.
        case file(String)
        /// Bytes in memory.
        case data(Data)
    }

    /// Total bytes.
    let size: Int64
    private let fd: Int32
    private let data: Data?
    private var offset = 0
    private let path: String
    private let host: String

    /// Opens the source; `host` only labels errors.
    init(_ source: Source, host: String) throws(SSHError) {
        self.host = host
        switch source {
        case .data(let data):
            self.data = data
            self.fd = -1
            self.size = Int64(data.count)
            self.path = "<memory>"
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            // The size via lseek: naming `struct stat` trips MemberImportVisibility in release builds.
            let size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1
            guard fd >= 0, size >= 0, lseek(fd, 0, SEEK_SET) == 0 else {
                let reason = GoText.errno(errno, capitalized: true)
                if fd >= 0 { close(fd) }
                throw SSHError(
                    .localFile, host: host, operation: "upload", message: "cannot read \(path): \(reason)",
                    hint: "Check the local file path and its permissions")
            }
            self.data = nil
            self.fd = fd
            self.size = Int64(size)
            self.path = path
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Fills the start of `buffer`; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SSHError) -> Int {
        if let data {
            let count = min(buffer.count, data.count - offset)
            if count > 0 {
                data.withUnsafeBytes {
                    buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count)
                }
            }
            offset += count
            return count
        }
        while true {
            let count = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            let reason = GoText.errno(errno, capitalized: true)
            throw SSHError(.localFile, host: host, operation: "upload", message: "reading \(path) failed: \(reason)")
        }
    }
}

@available(*, unavailable)
extension UploadReader: Sendable {}
