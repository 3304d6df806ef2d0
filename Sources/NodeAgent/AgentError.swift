import FleetCore

/// Everything a node-agent command can fail with: the one error type the module throws.
///
/// Each error carries a ``Code`` saying which part failed and the message the operator reads after
/// `Error: `. The message is cosmovisor's (or x/upgrade's) wording, byte for byte, wherever cosmovisor
/// has one, so scripts that match its output keep working; ``hint`` is the sentence saying what to do.
///
/// ```swift
/// do { try steps.switchBinary(plan) } catch where error.code == .step { ... }
/// ```
struct AgentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which part of the agent failed; compare with `==`.
    struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case command, configuration, download, step, plan, spawn, lock, stat
        }
        private let kind: Kind

        /// A command's own check failed (arguments, the home's layout, a file it reads or writes).
        static let command = Code(kind: .command)
        /// The environment or `--cosmovisor-config` is invalid; ``AgentError/problems`` lists each problem.
        static let configuration = Code(kind: .configuration)
        /// Preparing or downloading an upgrade binary failed.
        static let download = Code(kind: .download)
        /// An upgrade step (backup, pre-upgrade script, switching `current`) failed.
        static let step = Code(kind: .step)
        /// An `upgrade-info.json` could not be used.
        static let plan = Code(kind: .plan)
        /// A process could not be started.
        static let spawn = Code(kind: .spawn)
        /// The agent lock is held by another agent or its node, or cannot be taken.
        static let lock = Code(kind: .lock)
        /// `stat(2)` of a path failed; ``AgentError/errno`` says why.
        static let stat = Code(kind: .stat)

        /// Every code, for tests and documentation.
        static let all: [Code] = [.command, .configuration, .download, .step, .plan, .spawn, .lock, .stat]

        /// The code's name, such as `download`.
        var description: String { kind.rawValue }

        /// What the operator can do about an error of this kind.
        var hint: String {
            switch kind {
            case .command: "Check the command's arguments and the node's home directory"
            case .configuration: "Fix the DAEMON_* variables or the --cosmovisor-config file and start again"
            case .download: "Check the binary URL, its checksum and the network, or place the binary by hand"
            case .step: "Check the upgrade's directory under cosmovisor/ and the backup settings"
            case .plan: "Check upgrade-info.json in the node's data directory"
            case .spawn: "Check that the file exists and is executable"
            case .lock: "Stop the other node-agent (or the node it left running) before starting this one"
            case .stat: "Check that the path exists and is readable"
            }
        }
    }

    /// The kind of failure.
    let code: Code
    /// What happened, worded as cosmovisor's where it has one.
    let message: String
    /// The `errno` behind the failure, when a system call failed.
    let errno: Int32?
    /// For ``Code/configuration``: every problem found, in cosmovisor's order (the message joins them).
    let problems: [ConfigurationProblem]

    /// An error whose message is `message`.
    init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.problems = []
    }

    /// An error from FleetCore met by a command, with its message as it is.
    init(_ code: Code, _ error: some Error & CustomStringConvertible) {
        self.init(code, error.description)
    }

    /// Every problem found in the configuration, reported together (spec §3, "error aggregation"):
    /// the message joins them with newlines, like Go's `errors.Join`.
    static func configuration(_ problems: [ConfigurationProblem]) -> AgentError {
        AgentError(problems: problems)
    }

    /// A configuration error with a single problem.
    static func configuration(_ message: String) -> AgentError {
        configuration([ConfigurationProblem(message)])
    }

    private init(problems: [ConfigurationProblem]) {
        self.code = .configuration
        self.message = problems.map(\.description).joined(separator: "\n")
        self.errno = nil
        self.problems = problems
    }

    /// cobra's `ExactArgs(n)` failure.
    static func argumentCount(expected: Int, received: Int) -> AgentError {
        AgentError(.command, "accepts \(expected) arg(s), received \(received)")
    }

    /// `posix_spawn` of `executable` failed: `<executable>: No such file or directory`.
    static func spawn(_ executable: String, errno: Int32) -> AgentError {
        AgentError(.spawn, "\(executable): \(GoText.errno(errno, capitalized: true))", errno: errno)
    }

    /// A failed step's system call, worded like Go's `*PathError`: `stat <path>: no such file or directory`.
    static func step(_ operation: String, errno: Int32) -> AgentError {
        AgentError(.step, "\(operation): \(GoText.errno(errno))", errno: errno)
    }

    /// What the operator reads after `Error: `.
    var description: String { message }

    /// What the operator can do about it.
    var hint: String { code.hint }
}
