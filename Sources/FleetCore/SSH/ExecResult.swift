public import Foundation

/// What a remote command produced.
public struct ExecResult: Sendable, Hashable {
    /// What the command wrote to stdout, as bytes (decode once at the end; reads split characters),
    /// up to the exec's output limit.
    public var stdout: Data
    /// What the command wrote to stderr, up to the exec's output limit.
    public var stderr: Data
    /// Whether stdout went past the limit and only its start is kept (the rest was read and dropped).
    public var stdoutTruncated: Bool
    /// Whether stderr went past the limit and only its start is kept.
    public var stderrTruncated: Bool
    /// The exit status, or nil when the command was killed by a signal (or sent none).
    public var exitStatus: Int32?
    /// The signal name without `SIG` (`TERM`, `KILL`) when the command was killed by one.
    public var exitSignal: String?

    /// The bytes kept per stream by default: a node printing gigabytes cannot exhaust fleet's memory.
    public static let defaultOutputLimit = 8 << 20

    /// Creates a result; see the properties.
    public init(
        stdout: Data, stderr: Data, exitStatus: Int32?, exitSignal: String?, stdoutTruncated: Bool = false,
        stderrTruncated: Bool = false
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    /// stdout decoded as UTF-8 (invalid bytes become U+FFFD).
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8.
    public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && exitSignal == nil }
}
