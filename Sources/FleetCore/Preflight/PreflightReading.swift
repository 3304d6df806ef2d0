/// What the preflight read from one node: its status document (as `fleet status` reads it), the agent's
/// backup estimate, and two timed height samples for the block time.
public struct PreflightReading: Sendable, Equatable {
    /// One height seen at one moment (the node's clock, milliseconds since the epoch).
    public struct HeightSample: Sendable, Equatable {
        /// The chain height.
        public var height: Int64
        /// When it was read.
        public var unixMilliseconds: Int64

        /// Creates a sample.
        public init(height: Int64, unixMilliseconds: Int64) {
            self.height = height
            self.unixMilliseconds = unixMilliseconds
        }
    }

    /// The node as `fleet status` sees it (unreachable nodes carry their error).
    public var observation: HostObservation
    /// `node-agent backups --estimate --json`, when the agent gave one.
    public var estimate: BackupEstimate?
    /// Why there is no estimate.
    public var estimateError: String?
    /// Heights read at the start and the end of the node's probe, oldest first.
    public var samples: [HeightSample]
    /// `cosmovisor_disable_recase` from the inventory, when set there (else the agent's setting counts).
    public var disableRecase: Bool?

    /// Creates a reading.
    public init(
        observation: HostObservation, estimate: BackupEstimate? = nil, estimateError: String? = nil,
        samples: [HeightSample] = [], disableRecase: Bool? = nil
    ) {
        self.observation = observation
        self.estimate = estimate
        self.estimateError = estimateError
        self.samples = samples
        self.disableRecase = disableRecase
    }

    /// Seconds per block from ``samples``, `nil` when no block was made between them.
    public var secondsPerBlock: Double? {
        guard let first = samples.first, let last = samples.last, last.height > first.height,
            last.unixMilliseconds > first.unixMilliseconds
        else { return nil }
        return Double(last.unixMilliseconds - first.unixMilliseconds) / 1000 / Double(last.height - first.height)
    }
}
