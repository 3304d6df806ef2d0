import Foundation

/// The runtime state file a running agent keeps, replaced atomically (temp + fsync + rename) at each
/// transition, so `node-agent status --json` in another process can show it and a restarted agent can
/// find a child left behind by a killed one.
///
/// Local shape until the shared `AgentRuntimeState` (FleetCore/Node, branch `agent-config`) is merged;
/// keys are snake_case.
struct RunStateRecord: Codable, Sendable, Equatable {
    struct Child: Codable, Sendable, Equatable {
        /// The child's pid (also its process-group id).
        var pid: Int32
        /// `/proc/<pid>/stat` starttime, to tell it from a reused pid.
        var startTime: UInt64?
        /// `--halt-height` the child was started with.
        var haltHeight: Int64?
        /// Path of the binary it runs.
        var binary: String
        /// When it started (RFC 3339).
        var startedAt: String
    }

    struct Plan: Codable, Sendable, Equatable {
        var name: String
        var height: Int64
    }

    var schema = 1
    /// The agent's pid.
    var agentPid: Int32
    /// When the agent started (RFC 3339).
    var agentStartedAt: String
    /// The supervisor phase: `checking`, `running`, `stopping`, `upgrading:backup`, `finished`, …
    var state: String
    /// The supervised node, when one runs.
    var child: Child?
    /// Where `current` points (`genesis`, `upgrades/v2`).
    var current: String?
    /// The upgrade `current` selects, `nil` at genesis.
    var appliedUpgrade: Plan?
    /// A plan in `data/upgrade-info.json` that is not applied yet.
    var pendingPlan: Plan?
    /// Upgrades applied by this agent process, oldest first.
    var upgradesApplied: [String]
    /// How many times the child was started by this agent process.
    var childStarts: Int
    /// When this record was written (RFC 3339).
    var updatedAt: String

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return encoder
    }()

    static func decode(_ data: Data) -> RunStateRecord? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(RunStateRecord.self, from: data)
    }

    /// RFC 3339 UTC timestamp.
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
