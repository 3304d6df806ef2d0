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
        /// Who scheduled it (`--requested-by`, e.g. `fleet schedule by alice@laptop`), or the local user;
        /// `nil` in files written before it was recorded.
        public var addedBy: String?

        /// Creates an entry.
        public init(name: String, height: Int64, addedAt: String, addedBy: String? = nil) {
            self.name = name
            self.height = height
            self.addedAt = addedAt
            self.addedBy = addedBy
        }
    }

    /// An entry taken off the schedule before it was applied (`node-agent remove-upgrade`, `fleet schedule
    /// --cancel`, or a `fleet schedule` rolled back): what, when and by whom.
    public struct Removal: Codable, Sendable, Equatable {
        /// The upgrade name.
        public var name: String
        /// The height it was scheduled at.
        public var height: Int64
        /// When it was removed (RFC 3339, UTC).
        public var removedAt: String
        /// Who removed it.
        public var removedBy: String?

        /// Creates a removal record.
        public init(name: String, height: Int64, removedAt: String, removedBy: String?) {
            self.name = name
            self.height = height
            self.removedAt = removedAt
            self.removedBy = removedBy
        }
    }

    /// Version of this file's shape.
    public var schema: Int
    /// The scheduled upgrades, ascending by height.
    public private(set) var upgrades: [Entry]
    /// The last ``maximumRemovals`` entries removed before they were applied, oldest first; `nil` in
    /// files written before they were recorded.
    public private(set) var removed: [Removal]?

    /// How many removal records the file keeps.
    public static let maximumRemovals = 32

    /// Creates a schedule.
    public init(upgrades: [Entry] = [], removed: [Removal]? = nil) {
        self.schema = 1
        self.upgrades = upgrades.sorted { $0.height < $1.height }
        self.removed = removed
    }

    /// Removes the entry named `name` and records who removed it and when; returns the removed entry.
    public mutating func cancel(named name: String, at timestamp: String, by who: String?) -> Entry? {
        guard let entry = entry(named: name) else { return nil }
        remove(named: name)
        var records = removed ?? []
        records.append(Removal(name: entry.name, height: entry.height, removedAt: timestamp, removedBy: who))
        removed = Array(records.suffix(Self.maximumRemovals))
        return entry
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
        return ManualUpgradeSchedule(upgrades: decoded.upgrades, removed: decoded.removed)
    }

    /// Replaces the file atomically (mode 0644), creating its directory.
    ///
    /// - Throws: ``NodeFileError``.
    public func write(to path: String) throws(NodeFileError) {
        try JSONStateFile.write(self, to: path)
    }
}
