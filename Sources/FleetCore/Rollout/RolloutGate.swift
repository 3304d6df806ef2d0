/// The pure health gate a node passes after its switch before the rollout goes on: the child is up, the
/// height advances, the node is not catching up and is within ``Policy/maxLag`` blocks of the fleet's
/// highest node. Fed one ``Sample`` per poll; says pass, wait (with why) or fail (timed out, with the
/// last reason).
///
/// ```swift
/// var gate = RolloutGate(policy: .init(maxLag: 5, timeout: .seconds(120)))
/// switch gate.evaluate(sample) { case .pass: …; case .wait(let why): …; case .fail(let why): … }
/// ```
public struct RolloutGate: Sendable, Equatable {
    /// The thresholds (`--max-lag`, `--gate-timeout`).
    public struct Policy: Sendable, Equatable {
        /// Blocks the node may trail the fleet's highest node.
        public var maxLag: Int64
        /// How long the node has to pass.
        public var timeout: Duration

        /// The defaults: 5 blocks, 2 minutes.
        public init(maxLag: Int64 = 5, timeout: Duration = .seconds(120)) {
            self.maxLag = maxLag
            self.timeout = timeout
        }
    }

    /// One poll of the node (and of the fleet's heights).
    public struct Sample: Sendable, Equatable {
        /// Time since the gate started.
        public var elapsed: Duration
        /// Whether the agent's child runs (pid and state `running`).
        public var childRunning: Bool
        /// The node's height from its RPC, `nil` when it did not answer.
        public var height: Int64?
        /// `catching_up`, `nil` when unknown.
        public var catchingUp: Bool?
        /// The highest height any node of the fleet reported in this poll.
        public var fleetHighest: Int64?
        /// Why the node could not be read, when it could not.
        public var error: String?

        /// Creates a sample.
        public init(
            elapsed: Duration, childRunning: Bool, height: Int64?, catchingUp: Bool?, fleetHighest: Int64?,
            error: String? = nil
        ) {
            self.elapsed = elapsed
            self.childRunning = childRunning
            self.height = height
            self.catchingUp = catchingUp
            self.fleetHighest = fleetHighest
            self.error = error
        }
    }

    /// The gate's answer to a sample.
    public enum Verdict: Sendable, Equatable {
        /// Healthy: go on.
        case pass
        /// Not yet; why.
        case wait(String)
        /// Timed out; the last reason.
        case fail(String)
    }

    /// The thresholds.
    public let policy: Policy
    /// The first height seen after the switch: the node must go past it.
    public private(set) var baseline: Int64?
    /// Samples judged so far.
    public private(set) var samples = 0

    /// A gate that has seen no sample yet.
    public init(policy: Policy) {
        self.policy = policy
    }

    /// Judges `sample`; a sample that does not pass fails once ``Policy/timeout`` has elapsed, but never
    /// the first one: a poll slower than the timeout (a loaded machine, a slow link) still gets a second
    /// look, since "advancing" needs two heights.
    public mutating func evaluate(_ sample: Sample) -> Verdict {
        samples += 1
        let reason = problem(sample)
        guard let reason else { return .pass }
        if sample.elapsed >= policy.timeout && samples >= 2 {
            return .fail("\(reason) after \(GoDuration.format(policy.timeout)) (--gate-timeout)")
        }
        return .wait(reason)
    }

    private mutating func problem(_ sample: Sample) -> String? {
        if let error = sample.error { return "not readable: \(error)" }
        guard sample.childRunning else { return "the node is not running" }
        guard let height = sample.height else { return "the node's RPC does not answer" }
        guard let baseline else {
            baseline = height
            return "height \(height), waiting for it to advance"
        }
        guard height > baseline else { return "height stuck at \(height)" }
        if sample.catchingUp == true { return "catching up (height \(height))" }
        if let top = sample.fleetHighest, top - height > policy.maxLag {
            return "height \(height) is \(top - height) blocks behind the fleet (\(top)), more than \(policy.maxLag)"
        }
        return nil
    }
}
