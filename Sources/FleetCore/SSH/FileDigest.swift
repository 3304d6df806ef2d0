import Crypto
import Foundation

/// SHA-256 of local files, read in 1 MiB chunks, as `fleet stage` compares with the host's `sha256sum`.
public enum FileDigest {
    /// The lowercase hex SHA-256 of the file at `path` (what `sha256sum` prints).
    ///
    /// Blocking file I/O: call it from a thread that may block, not in a tight loop on the cooperative pool.
    /// - Throws: `SSHError` with code `.localFile` when the file cannot be read.
    public static func sha256(ofFile path: String) throws(SSHError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func failure(_ path: String) -> SSHError {
        SSHError(
            .localFile, host: "localhost", operation: "sha256 \(path)", message: String(cString: strerror(errno)),
            hint: "Check the local file path and its permissions")
    }
}
