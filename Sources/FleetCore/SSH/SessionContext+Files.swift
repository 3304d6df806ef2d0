import Foundation

extension SessionContext {
    /// Reads a whole remote file of at most `maxBytes`.
    func readFile(_ path: String, maxBytes: Int, deadline: OperationDeadline) throws(SSHError) -> Data {
        let handle = try sftp(deadline).open(path, .read, mode: 0, deadline: deadline)
        var result = Data()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try handle.read(into: buffer, deadline: deadline)
            if count == 0 { break }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            guard result.count <= maxBytes else {
                throw SSHError(
                    .invalidArgument, host: target.host, operation: "read \(path)",
                    message: "the file is larger than the \(maxBytes) bytes allowed",
                    hint: "Use a larger limit or download it instead")
            }
        }
        try handle.close(deadline)
        return result
    }

    /// Writes `data` to `path` in place (truncating), then sets `mode`.
    func writeFileInPlace(_ data: Data, to path: String, mode: UInt32, deadline: OperationDeadline) throws(SSHError) {
        let handle = try sftp(deadline).open(path, .createTruncate, mode: mode, deadline: deadline)
        var offset = 0
        var deadline = deadline
        while offset < data.count {
            let acked = try data.withUnsafeBytes { raw in
                Result { () throws(SSHError) -> Int in
                    try handle.writeOnce(
                        UnsafeRawBufferPointer(rebasing: raw[offset..<min(data.count, offset + Self.writeWindow)]))
                }
            }.get()
            if acked > 0 {
                offset += acked
                deadline = deadline.renewed()
            } else {
                try handle.wait(deadline)
            }
        }
        try handle.setPermissions(mode, deadline: deadline)
        try handle.close(deadline)
    }

    /// Creates `path` and its missing parents, like `mkdir -p`; an existing directory is fine.
    func mkdirP(_ path: String, mode: UInt32, deadline: OperationDeadline) throws(SSHError) {
        let sftp = try sftp(deadline)
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") where component != "." {
            current = current == "." ? String(component) : current + "/" + component
            if try isDirectory(current, sftp: sftp, deadline: deadline) { continue }
            do throws(SSHError) {
                try sftp.mkdir(current, mode: mode, deadline: deadline)
            } catch {
                // Another process may have created it meanwhile; only fail if it is still not a directory.
                guard try isDirectory(current, sftp: sftp, deadline: deadline) else { throw error }
            }
        }
    }

    /// Whether `path` is a directory (following links); false when missing; throws when it is something else.
    private func isDirectory(_ path: String, sftp: LibSSH2SFTP, deadline: OperationDeadline) throws(SSHError) -> Bool {
        do throws(SSHError) {
            let attributes = try sftp.stat(path, followLinks: true, deadline: deadline)
            guard attributes.kind == .directory else {
                throw SSHError(
                    .sftp, host: target.host, operation: "mkdir \(path)", message: "it exists and is not a directory")
            }
            return true
        } catch  where error.code == .notFound {
            return false
        }
    }
}
