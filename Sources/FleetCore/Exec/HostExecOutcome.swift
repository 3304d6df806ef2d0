/// What one host did with a `fleet exec` command: its result, or why it could not run it.
public struct HostExecOutcome: Sendable, Equatable {
    /// The inventory name.
    public var host: String
    /// The command's result, when the host was reached.
    public var result: ExecResult?
    /// Why the command did not run (connection, authentication, timeout), when it did not.
    public var error: String?

    /// Creates an outcome.
    public init(host: String, result: ExecResult? = nil, error: String? = nil) {
        self.host = host
        self.result = result
        self.error = error
    }

    /// Whether the command ran and exited 0.
    public var succeeded: Bool { result?.succeeded ?? false }

    /// Why the host failed, in a few words (`unreachable`, `exit 2`, `signal KILL`), or `nil` on success.
    public var failure: String? {
        guard let result else { return "unreachable" }
        if let signal = result.exitSignal { return "signal \(signal)" }
        if result.exitStatus == 0 { return nil }
        return "exit \(result.exitStatus.map(String.init) ?? "?")"
    }
}
