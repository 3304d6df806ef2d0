import FleetCore
import Foundation

/// Facts about one staged binary: sha256, size, execute bit and `version` output.
enum BinaryInspector {
    /// How long `<binary> version` may run.
    static let versionTimeout: Duration = .seconds(5)

    /// Inspects the binary at `path` (followed through symlinks); `name` is `genesis` or the upgrade dir.
    /// sha256 and version come from `cache` when it holds them for this exact file.
    static func inspect(
        name: String,
        path: String,
        cache: BinaryFactsCache = .init(directory: nil)
    ) async -> NodeStatus.StagedBinary {
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
        var facts = cache.lookup(info)
        if facts == nil, let sha = sha256(of: path) {
            var version: String?
            if executable { version = await Self.version(of: path) }
            facts = (sha, version)
            if version != nil || !executable { cache.store(info, sha256: sha, version: version) }
        }
        return NodeStatus.StagedBinary(
            name: name,
            path: path,
            sha256: facts?.sha256,
            version: facts?.version,
            executable: executable,
            size: Int64(info.st_size)
        )
    }

    /// sha256 of a file in lowercase hex (``FileDigest``); `nil` when unreadable.
    static func sha256(of path: String) -> String? {
        try? FileDigest.sha256(ofFile: path)
    }

    /// The first non-empty line of `<path> version`, `nil` when it fails or times out.
    ///
    /// Through ``ChildProcess/capture(_:arguments:directory:captureErrorOutput:timeout:)``: its own process
    /// group, killed at the time limit, and never held by a grandchild that keeps stdout open.
    static func version(of path: String) async -> String? {
        guard let result = try? await ChildProcess.capture(path, arguments: ["version"], timeout: versionTimeout),
            result.status.isSuccess
        else { return nil }
        return result.output.split(whereSeparator: \.isNewline).first.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}
