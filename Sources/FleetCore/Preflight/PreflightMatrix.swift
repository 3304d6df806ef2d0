/// The readiness matrix of `fleet preflight NAME`: one row per node, one cell per ``PreflightCheck``.
///
/// Pure: readings in, verdicts out. The upgrade may go ahead only when ``isGreen`` (every cell passes or
/// is skipped); `fleet schedule` refuses otherwise.
///
/// | check | fails when |
/// |---|---|
/// | staged | `upgrades/<dir>/bin/<daemon>` is missing (`<dir>` recased unless recase is off for the node) |
/// | sha256 | it differs from `--sha256`, or (without it) from the hash most nodes hold |
/// | executable | it has no execute bit |
/// | version | `--version` given and `<bin> version` printed something else |
/// | disk | backups on and the backup directory's free space < the estimate (or no estimate) |
/// | agent | no agent runs the node, or `DAEMON_RESTART_AFTER_UPGRADE` is not `true` |
/// | sync | no height from the RPC, or `catching_up` |
/// | double_sign | a `double_sign_risk` finding of ``FleetAssessment`` names the node |
/// | height | `--height H` given and the node is at or past H |
public struct PreflightMatrix: Sendable, Codable, Equatable {
    /// What is checked.
    public struct Request: Sendable, Codable, Equatable {
        /// The upgrade name as the operator wrote it.
        public var name: String
        /// `--height`.
        public var height: Int64?
        /// `--sha256`, lowercase hex.
        public var sha256: String?
        /// `--version`.
        public var version: String?

        /// Creates a request.
        public init(name: String, height: Int64? = nil, sha256: String? = nil, version: String? = nil) {
            self.name = name
            self.height = height
            self.sha256 = sha256?.lowercased()
            self.version = version
        }
    }

    /// One node's row.
    public struct Row: Sendable, Codable, Equatable {
        /// Inventory name.
        public var host: String
        /// `validator`, `sentry` or `full`.
        public var role: String
        /// The node's height, when its RPC answered.
        public var height: Int64?
        /// One cell per check, in ``PreflightCheck`` order.
        public var cells: [PreflightCell]
        /// Why the node could not be read, when it could not (every cell then fails).
        public var error: String?

        /// The cell of `check`.
        public func cell(_ check: PreflightCheck) -> PreflightCell? { cells.first { $0.check == check } }

        /// Whether every cell passes or is skipped.
        public var isGreen: Bool { error == nil && cells.allSatisfy(\.isGreen) }
    }

    public var request: Request
    /// The rows, in inventory order.
    public var rows: [Row]
    /// The highest height seen.
    public var topHeight: Int64?
    /// The median block time over the nodes that made blocks while read, in seconds: every ETA uses it
    /// (one node sees too few blocks during its read for a steady figure).
    public var secondsPerBlock: Double?
    /// Whether every row is green.
    public var isGreen: Bool

    /// Evaluates `readings` (in inventory order) against `request`.
    public init(_ readings: [PreflightReading], request: Request) {
        self.request = request
        let observations = readings.map(\.observation)
        let findings = FleetAssessment(observations).findings.filter { $0.kind == .doubleSignRisk }
        let reference = Self.referenceSHA256(readings, request: request)
        let rates = readings.compactMap(\.secondsPerBlock).sorted()
        let median = rates.isEmpty ? nil : rates[rates.count / 2]
        secondsPerBlock = median
        topHeight = observations.compactMap { $0.status?.chain?.height }.max()
        rows = readings.map { reading in
            Self.row(reading, request: request, reference: reference, findings: findings, fleetRate: median)
        }
        isGreen = rows.allSatisfy(\.isGreen)
    }

    /// The failing cells as `host: CHECK: detail` lines, in row and column order.
    public var failures: [String] {
        rows.flatMap { row -> [String] in
            if let error = row.error { return ["\(row.host): unreachable: \(error)"] }
            return row.cells.filter { $0.verdict == .fail }.map { "\(row.host): \($0.check.rawValue): \($0.detail)" }
        }
    }

    // MARK: - cells

    /// The directory name the agent on this node will look in.
    static func directory(_ reading: PreflightReading, name: String) -> String? {
        let settings = reading.observation.status?.agent?.settings ?? [:]
        let disable = reading.disableRecase ?? (settings["cosmovisor_disable_recase"] == "true")
        return try? UpgradeName(name, recase: !disable).directory
    }

    static func staged(_ reading: PreflightReading, name: String) -> NodeStatus.StagedBinary? {
        guard let directory = directory(reading, name: name) else { return nil }
        return reading.observation.status?.binaries.first { $0.name == directory && $0.path != nil }
    }

    /// `--sha256`, else the hash the most nodes hold (the first seen on a tie).
    static func referenceSHA256(_ readings: [PreflightReading], request: Request) -> String? {
        if let given = request.sha256 { return given }
        var counts: [(sha: String, count: Int)] = []
        for reading in readings {
            guard let sha = staged(reading, name: request.name)?.sha256 else { continue }
            if let index = counts.firstIndex(where: { $0.sha == sha }) {
                counts[index].count += 1
            } else {
                counts.append((sha, 1))
            }
        }
        let most = counts.map(\.count).max()
        return counts.first { $0.count == most }?.sha
    }

    static func row(
        _ reading: PreflightReading, request: Request, reference: String?, findings: [FleetFinding],
        fleetRate: Double?
    ) -> Row {
        let observation = reading.observation
        guard let status = observation.status else {
            let error = observation.error ?? "no answer"
            return Row(
                host: observation.host, role: observation.role, height: nil,
                cells: PreflightCheck.allCases.map { PreflightCell($0, .fail, "unreachable") }, error: error)
        }
        let binary = staged(reading, name: request.name)
        var cells: [PreflightCell] = []
        let layout = CosmovisorLayout(home: status.daemonHome, daemonName: status.daemonName)
        let path = directory(reading, name: request.name).map { "upgrades/\($0)/bin/\(status.daemonName)" } ?? "?"
        if binary != nil {
            cells.append(PreflightCell(.staged, .pass, path))
        } else {
            cells.append(PreflightCell(.staged, .fail, "missing: \(layout.root)/\(path)"))
        }
        cells.append(shaCell(binary, request: request, reference: reference))
        if let binary {
            cells.append(
                binary.executable
                    ? PreflightCell(.executable, .pass, "yes") : PreflightCell(.executable, .fail, "no execute bit"))
        } else {
            cells.append(PreflightCell(.executable, .fail, "not staged"))
        }
        cells.append(versionCell(binary, request: request))
        cells.append(diskCell(reading, status: status))
        cells.append(agentCell(status))
        cells.append(syncCell(status))
        if let finding = findings.first(where: { $0.hosts.contains(observation.host) }) {
            let others = finding.hosts.filter { $0 != observation.host }.joined(separator: ", ")
            cells.append(PreflightCell(.doubleSign, .fail, "same consensus key running on \(others)"))
        } else {
            cells.append(PreflightCell(.doubleSign, .pass, "none"))
        }
        cells.append(heightCell(status, request: request, rate: fleetRate ?? reading.secondsPerBlock))
        return Row(host: observation.host, role: observation.role, height: status.chain?.height, cells: cells)
    }

    static func shaCell(_ binary: NodeStatus.StagedBinary?, request: Request, reference: String?) -> PreflightCell {
        guard let binary else { return PreflightCell(.sha256, .fail, "not staged") }
        guard let sha = binary.sha256 else { return PreflightCell(.sha256, .fail, "unreadable") }
        guard let reference, reference != sha else { return PreflightCell(.sha256, .pass, String(sha.prefix(12))) }
        let against = request.sha256 != nil ? "--sha256" : "most nodes"
        return PreflightCell(.sha256, .fail, "\(sha.prefix(12))… differs from \(against) (\(reference.prefix(12))…)")
    }

    static func versionCell(_ binary: NodeStatus.StagedBinary?, request: Request) -> PreflightCell {
        let seen = binary?.version
        guard let wanted = request.version else {
            return PreflightCell(.version, .skip, seen ?? "-")
        }
        guard binary != nil else { return PreflightCell(.version, .fail, "not staged") }
        guard let seen else { return PreflightCell(.version, .fail, "`version` printed nothing (or failed)") }
        return seen == wanted
            ? PreflightCell(.version, .pass, seen) : PreflightCell(.version, .fail, "\(seen), not \(wanted)")
    }

    static func diskCell(_ reading: PreflightReading, status: NodeStatus) -> PreflightCell {
        let settings = status.agent?.settings ?? [:]
        if settings["unsafe_skip_backup"] == "true" || reading.estimate?.skipBackup == true {
            return PreflightCell(.disk, .skip, "backup off (UNSAFE_SKIP_BACKUP)")
        }
        guard let estimate = reading.estimate else {
            return PreflightCell(.disk, .fail, "no backup estimate: \(reading.estimateError ?? "no agent")")
        }
        guard let free = estimate.freeBytes else {
            return PreflightCell(.disk, .fail, "cannot read free space in \(estimate.backupDir)")
        }
        let text = "needs \(Self.human(estimate.bytesNeeded)), \(Self.human(free)) free"
        return free >= estimate.bytesNeeded
            ? PreflightCell(.disk, .pass, text) : PreflightCell(.disk, .fail, text + " in \(estimate.backupDir)")
    }

    static func agentCell(_ status: NodeStatus) -> PreflightCell {
        guard let agent = status.agent else { return PreflightCell(.agent, .fail, "no node-agent") }
        guard agent.running else { return PreflightCell(.agent, .fail, "node-agent not running") }
        let restart = agent.settings["daemon_restart_after_upgrade"] ?? "true"
        guard restart == "true" else {
            return PreflightCell(.agent, .fail, "DAEMON_RESTART_AFTER_UPGRADE=\(restart): the node would stay down")
        }
        return PreflightCell(.agent, .pass, "running \(agent.version)")
    }

    static func syncCell(_ status: NodeStatus) -> PreflightCell {
        guard let chain = status.chain, let height = chain.height else {
            return PreflightCell(.sync, .fail, "RPC: \(status.chain?.error ?? "no answer")")
        }
        if chain.catchingUp == true { return PreflightCell(.sync, .fail, "catching up at \(height)") }
        return PreflightCell(.sync, .pass, "in sync at \(height)")
    }

    static func heightCell(_ status: NodeStatus, request: Request, rate: Double?) -> PreflightCell {
        guard let target = request.height else { return PreflightCell(.height, .skip, "-") }
        guard let height = status.chain?.height else { return PreflightCell(.height, .fail, "height unknown") }
        guard target > height else { return PreflightCell(.height, .fail, "at \(height), not below \(target)") }
        let left = target - height
        let eta = rate.map { " (ETA ~\(Self.duration(Double(left) * $0)))" } ?? ""
        return PreflightCell(.height, .pass, "\(left) blocks left\(eta)")
    }

    /// `1.5 GiB`, `12 MiB`, `300 B`.
    static func human(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(bytes) B" }
        let number = value < 10 ? "\((value * 10).rounded() / 10)" : "\(Int(value.rounded()))"
        return number + " " + units[unit]
    }

    /// `45s`, `3m20s`, `2h05m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if total < 3600 { return "\(total / 60)m\(two(total % 60))s" }
        return "\(total / 3600)h\(two((total % 3600) / 60))m"
    }
}
