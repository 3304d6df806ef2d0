/// How staging went on one host: the `--json` entry and the line in the summary.
public struct StageHostReport: Sendable, Hashable, Encodable {
    /// The inventory host.
    public var host: String
    /// How it ended.
    public var result: StageResult
    /// The sha256 at the target afterwards (or the differing one found there, for `refused`), when known.
    @NullWhenNil public var sha256: String?
    /// Bytes transferred to the node in this run (0 when nothing was sent).
    public var bytes: Int64
    /// Wall-clock seconds spent on the host, kept to the millisecond (as the JSON shows them).
    public var seconds: Double {
        didSet { seconds = Self.milliseconds(seconds) }
    }
    /// Why it was refused or failed (from the node: escape before printing).
    @NullWhenNil public var error: String?
    /// The target path on the node, when the inventory could say.
    @NullWhenNil public var path: String?
    /// Leftover temp files of earlier runs removed on the node.
    public var removedTemporaries: Int

    /// Creates a report.
    public init(
        host: String,
        result: StageResult,
        sha256: String? = nil,
        bytes: Int64 = 0,
        seconds: Double = 0,
        error: String? = nil,
        path: String? = nil,
        removedTemporaries: Int = 0
    ) {
        self.host = host
        self.result = result
        self.sha256 = sha256
        self.bytes = bytes
        self.seconds = Self.milliseconds(seconds)
        self.error = error
        self.path = path
        self.removedTemporaries = removedTemporaries
    }

    /// Every field is encoded, absent ones as `null` (``NullWhenNil``), so each entry has the same keys.
    private enum CodingKeys: String, CodingKey {
        case host, result, sha256, bytes, seconds, error, path
        case removedTemporaries = "removed_temporaries"
    }

    private static func milliseconds(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }
}

/// One step of progress on one host, handed to the caller's progress callback.
public struct StageProgressEvent: Sendable, Hashable {
    /// The inventory host.
    public var host: String
    /// Where it is.
    public var phase: StagePhase
    /// Bytes acknowledged by the node so far (push mode).
    public var bytesSent: Int64
    /// Bytes in the file, when known.
    public var totalBytes: Int64?

    /// Creates an event.
    public init(host: String, phase: StagePhase, bytesSent: Int64 = 0, totalBytes: Int64? = nil) {
        self.host = host
        self.phase = phase
        self.bytesSent = bytesSent
        self.totalBytes = totalBytes
    }
}
