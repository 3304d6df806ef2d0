import Foundation

/// Where things are, for tests: the repository root and fresh temporary directories.
public enum TestPaths {
    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `scripts/` in the repository.
    public static var scripts: String { repositoryRoot + "/scripts" }

    /// A built product (`node-agent`, `fleet`) of the current build, found next to the test bundle.
    public static func product(_ name: String) -> String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path,
            Bundle.main.bundleURL.appendingPathComponent(name).path,
            repositoryRoot + "/.build/debug/" + name,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
    }

    /// Creates a fresh directory that every user can traverse (sandbox nodes run as another user).
    public static func makeTemporaryDirectory(_ prefix: String = "fleet-test") throws -> String {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let path = String(cString: made)
        chmod(path, 0o755)
        return path
    }
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
public func withTemporaryDirectory<T>(
    _ prefix: String = "fleet-test",
    _ body: (String) async throws -> T
) async throws -> T {
    let path = try TestPaths.makeTemporaryDirectory(prefix)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}
