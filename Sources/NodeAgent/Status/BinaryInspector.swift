import Crypto
import FleetCore
import Foundation

/// Facts about one staged binary: sha256, size, execute bit and `version` output.
enum BinaryInspector {
    /// How long `<binary> version` may run.
    static let versionTimeout: Duration = .seconds(5)

    /// Inspects the binary at `path` (followed through symlinks); `name` is `genesis` or the upgrade dir.
    static func inspect(name: String, path: String) -> NodeStatus.StagedBinary {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return NodeStatus.StagedBinary(
                name: name,
                path: nil,
                sha256: nil,
                version: nil,
                executable: false,
                size: nil
            )
        }
        let executable = info.st_mode & S_IXUSR != 0
        return NodeStatus.StagedBinary(
            name: name,
            path: path,
            sha256: sha256(of: path),
            version: executable ? version(of: path) : nil,
            executable: executable,
            size: Int64(info.st_size)
        )
    }

    /// sha256 of a file in lowercase hex, read in 1 MiB chunks; `nil` when unreadable.
    static func sha256(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The first non-empty line of `<path> version`, `nil` when it fails or times out.
    static func version(of path: String) -> String? {
        guard let result = try? ChildCommand.run(path, ["version"], captureOutput: true, timeout: versionTimeout),
            result.status == 0
        else { return nil }
        return result.output.split(whereSeparator: \.isNewline).first.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}
