public import Foundation

/// What a remote command produced.
public struct ExecResult: Sendable, Hashable {
    /// Everything written to stdout, as bytes (decode once at the end; reads split characters).
    public var stdout: Data
    /// Everything written to stderr.
    public var stderr: Data
    /// The exit status, or nil when the command was killed by a signal (or sent none).
    public var exitStatus: Int32?
    /// The signal name without `SIG` (`TERM`, `KILL`) when the command was killed by one.
    public var exitSignal: String?

    /// Creates a result; see the properties.
    public init(stdout: Data, stderr: Data, exitStatus: Int32?, exitSignal: String?) {
        self.stdout = stdout
        self.stderr = stderr
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
