/// What `fleet schedule` did, node by node and overall: the `--json` report. Pure: the command feeds it the
/// nodes' answers as they come and reads the outcome and exit code from it.
///
/// ```json
/// {"name": "v2", "height": 1200, "outcome": "rolled-back", "rolled_back": true, "interrupted": false,
///  "exit_code": 1, "hosts": [{"host": "sentry-1", "result": "added", "rolled_back": true, "error": null}, …]}
/// ```
public struct ScheduleReport: Sendable, Equatable, Encodable {
    /// How the whole command ended.
    public enum Outcome: String, Sendable, Equatable, Encodable {
        /// Every node holds the plan (exit 0).
        case scheduled
        /// `--cancel`: no node holds it now (exit 0).
        case cancelled
        /// The preflight was not green (or a node is at or past the height): no node was changed (exit 1).
        case refused
        /// A node failed: the plan was removed from every node that got it (exit 1).
        case rolledBack = "rolled-back"
        /// A node failed (or, with `--cancel`, could not remove it) and some node still holds the plan (exit 1).
        case incomplete
        /// Ctrl-C or SIGTERM: every node that got the plan gave it back, or none had it yet (exit 130 / 143).
        case interrupted
    }

    /// What happened on one node.
    public enum HostResult: String, Sendable, Equatable, Encodable {
        /// Not asked: the schedule was refused or interrupted before the node was changed.
        case unchanged
        /// `add-upgrade` wrote the plan.
        case added
        /// The same plan was already there.
        case alreadyScheduled = "already-scheduled"
        /// `--cancel`: `remove-upgrade` answered (the plan is not there now).
        case removed
        /// The node refused or could not be reached; `error` says why.
        case failed
    }

    /// One node's line of the report.
    public struct Host: Sendable, Equatable, Encodable {
        /// Inventory name.
        public var host: String
        /// What the add (or, with `--cancel`, the removal) did.
        public var result: HostResult
        /// Whether the plan was removed from it again by a rollback.
        public var rolledBack: Bool
        /// Why it failed or why its plan could not be removed (escaped and bounded), else nil; `null` in the JSON.
        @NullWhenNil public var error: String?

        /// Whether the node holds the plan now, as far as its answers say.
        public var holdsPlan: Bool { (result == .added || result == .alreadyScheduled) && !rolledBack }

        enum CodingKeys: String, CodingKey {
            case host, result
            case rolledBack = "rolled_back"
            case error
        }
    }

    /// The upgrade name.
    public var name: String
    /// The height, nil for `--cancel`.
    public var height: Int64?
    /// Every selected node, in inventory order.
    public var hosts: [Host]
    /// Whether any rollback (removal from the nodes that got the plan) ran.
    public var rolledBack = false
    /// The signal that interrupted the command, if any.
    public var interruptedBy: Int32?
    /// How it ended so far; ``finish(_:)`` sets it.
    public var outcome: Outcome = .refused

    /// A report with every node `unchanged`.
    public init(name: String, height: Int64?, hosts: [String]) {
        self.name = name
        self.height = height
        self.hosts = hosts.map { Host(host: $0, result: .unchanged, rolledBack: false, error: nil) }
    }

    /// The nodes that hold the plan now (those to roll back).
    public var holders: [String] { hosts.filter(\.holdsPlan).map(\.host) }

    /// 0 scheduled or cancelled, 128 + the signal when interrupted, else 1.
    public var exitCode: Int32 {
        if let interruptedBy { return 128 + interruptedBy }
        return outcome == .scheduled || outcome == .cancelled ? 0 : 1
    }

    /// Records each node's outcome of `add-upgrade` (``SchedulePlan/AddOutcome``).
    public mutating func recordAdds(_ outcomes: [(host: String, outcome: SchedulePlan.AddOutcome)]) {
        for (name, outcome) in outcomes {
            update(name) { host in
                switch outcome {
                case .added: host.result = .added
                case .alreadyScheduled: host.result = .alreadyScheduled
                case .failed(let reason):
                    host.result = .failed
                    host.error = reason
                }
            }
        }
    }

    /// Records each node's answer to `remove-upgrade`: for a rollback, the plan is gone where it succeeded;
    /// for `--cancel`, the node's result.
    public mutating func recordRemovals(_ answers: [ScheduleRemote.Answer], rollback: Bool) {
        if rollback { rolledBack = true }
        for answer in answers {
            update(answer.host) { host in
                if rollback {
                    if answer.succeeded {
                        host.rolledBack = true
                    } else {
                        host.error = "the plan could not be removed: " + answer.message
                    }
                } else {
                    host.result = answer.succeeded ? .removed : .failed
                    host.error = answer.succeeded ? nil : answer.message
                }
            }
        }
    }

    /// Sets the outcome: `wanted` unless a node still holds the plan after a rollback (or, with `--cancel`, a
    /// node failed): then `incomplete`; `interrupted` when a signal arrived and nothing is left behind.
    public mutating func finish(_ wanted: Outcome) {
        let leftBehind =
            (rolledBack && !holders.isEmpty)
            || (wanted == .cancelled && hosts.contains { $0.result == .failed })
        if leftBehind {
            outcome = .incomplete
        } else {
            outcome = interruptedBy != nil ? .interrupted : wanted
        }
    }

    private mutating func update(_ name: String, _ change: (inout Host) -> Void) {
        guard let index = hosts.firstIndex(where: { $0.host == name }) else { return }
        change(&hosts[index])
    }

    enum CodingKeys: String, CodingKey {
        case name, height, hosts, outcome, interrupted
        case rolledBack = "rolled_back"
        case exitCode = "exit_code"
    }

    /// Encodes the report with `interrupted` (a bool) and `exit_code`; a nil height as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(height, forKey: .height)
        try container.encode(hosts, forKey: .hosts)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(rolledBack, forKey: .rolledBack)
        try container.encode(interruptedBy != nil, forKey: .interrupted)
        try container.encode(exitCode, forKey: .exitCode)
    }
}
