import FleetTestSupport
import Foundation

/// A temporary `DAEMON_HOME` with `cosmovisor/` (and a `backups/` folder) for configuration tests.
struct ConfigTestHome {
    /// The home's absolute path.
    var path: String

    /// Runs `body` with a fresh home.
    static func with<T>(_ body: (ConfigTestHome) async throws -> T) async throws -> T {
        try await withTemporaryDirectory("agent-config") { dir in
            try FileManager.default.createDirectory(atPath: dir + "/cosmovisor", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/backups", withIntermediateDirectories: true)
            return try await body(ConfigTestHome(path: dir))
        }
    }

    /// `environment` with `{home}` replaced by the home's path in every value.
    func resolve(_ environment: [String: String]) -> [String: String] {
        environment.mapValues { $0.replacingOccurrences(of: "{home}", with: path) }
    }
}
