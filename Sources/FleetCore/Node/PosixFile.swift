import Foundation

/// `errno` from a failed system call.
struct Errno: Error, Sendable {
    var code: Int32
}

/// Small POSIX helpers shared by the atomic writers and readers.
enum PosixFile {
    /// Reads a whole file, reporting the `errno` of `open`/`read` on failure.
    static func readAll(_ path: String, limit: Int = 64 << 20) -> Result<Data, Errno> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(Errno(code: errno)) }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(code: errno))
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if data.count > limit { return .failure(Errno(code: EFBIG)) }
        }
        return .success(data)
    }

    /// Writes all of `data` to `fd`, retrying short writes and `EINTR`.
    static func writeAll(_ fd: Int32, _ data: Data) -> Int32? {
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// fsyncs a directory so a rename inside it is durable. Errors are reported as `errno`.
    static func syncDirectory(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return errno }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : errno
    }

    /// The directory part of a path (`.` for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path.
    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A unique temporary name next to `path` (same directory, so `rename(2)` is atomic).
    static func temporarySibling(of path: String) -> String {
        let random = UInt64.random(in: 0...UInt64.max)
        return directory(of: path) + "/." + baseName(of: path) + ".tmp-\(getpid())-" + String(random, radix: 36)
    }
}
