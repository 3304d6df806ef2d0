import Foundation

/// Manual (non-governance) upgrades at a chosen height: `cosmovisor/.node-agent/manual-upgrades.json`.
///
/// Cosmovisor implements `add-upgrade --upgrade-height H` by writing `data/upgrade-info.json` ahead of
/// time and killing the node once it reports height ≥ H, after the old binary may already have
/// committed past H (spec §5.4, Appendix A.10). `node-agent add-upgrade --upgrade-height H` still writes
/// that file (drop-in compatibility) **and** records the upgrade here, so the run loop can start the
/// node with `--halt-height <H>` (``nextHaltHeight(above:)``) and the old binary stops at H by itself.
///
/// Contract between writers (`add-upgrade`, `fleet schedule`) and the run loop:
/// * Entries are keyed by ``Entry/name`` (recased like the upgrade directory); adding an existing name
///   replaces it. The list is kept sorted by height.
/// * The run loop removes an entry once it has switched `current` to that upgrade; `fleet schedule
///   --cancel` removes it too.
/// * Every writer replaces the whole file with ``write(to:)`` (atomic). A missing file is an empty schedule.
///
/// ```json
/// {"schema":1,"upgrades":[{"added_at":"2026-01-01T10:00:00Z","height":120,"name":"v2"}]}
/// ```
public struct ManualUpgradeSchedule: Codable, Sendable, Equatable {
    /// One scheduled upgrade.
    public struct Entry: Codable, Sendable, Equatable {
        /// The upgrade name, recased as its directory name is (see ``UpgradeName/recased``).
        public var name: String
        /// The height the node must halt at.
        public var height: Int64
        /// When it was scheduled (RFC 3339, UTC).
        public var addedAt: String

        /// Creates an entry.
        public init(name: String, height: Int64, addedAt: String) {
            self.name = name
            self.height = height
            self.addedAt = addedAt
        }
    }

    /// Version of this file's shape.
    public var schema: Int
    /// The scheduled upgrades, ascending by height.
    public private(set) var upgrades: [Entry]

    /// Creates a schedule.
    public init(upgrades: [Entry] = []) {
        self.schema = 1
        self.upgrades = upgrades.sorted { $0.height < $1.height }
    }

    /// Adds `entry`, replacing an entry with the same name.
    public mutating func upsert(_ entry: Entry) {
        upgrades.removeAll { $0.name == entry.name }
        upgrades.append(entry)
        upgrades.sort { $0.height < $1.height }
    }

    /// Removes the entry named `name`; returns whether there was one.
    @discardableResult
    public mutating func remove(named name: String) -> Bool {
        let before = upgrades.count
        upgrades.removeAll { $0.name == name }
        return upgrades.count != before
    }

    /// The entry named `name`.
    public func entry(named name: String) -> Entry? { upgrades.first { $0.name == name } }

    /// The height to pass as `--halt-height`: the lowest scheduled height above `height` (the chain's
    /// last known height, or `nil` when unknown, which means every entry counts).
    public func nextHaltHeight(above height: Int64?) -> Int64? {
        upgrades.first { $0.height > (height ?? 0) }?.height
    }

    /// Reads the schedule; a missing file is an empty schedule.
    ///
    /// - Throws: ``NodeFileError`` when the file cannot be read or decoded.
    public static func read(from path: String) throws(NodeFileError) -> ManualUpgradeSchedule {
        guard let decoded = try JSONStateFile.read(ManualUpgradeSchedule.self, from: path) else {
            return ManualUpgradeSchedule()
        }
        return ManualUpgradeSchedule(upgrades: decoded.upgrades)
    }

    /// Replaces the file atomically (mode 0644), creating its directory.
    ///
    /// - Throws: ``NodeFileError``.
    public func write(to path: String) throws(NodeFileError) {
        try JSONStateFile.write(self, to: path)
    }
}
