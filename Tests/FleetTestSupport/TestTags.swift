public import Testing

/// The tiers every suite is tagged with (`@Suite(.tags(.pure))`), cheapest first.
///
/// `make test-fast` runs the `.pure` and `.files` suites (scripts/test-fast.sh reads the tags from the
/// `@Suite` lines); `make test` runs all five.
extension Tag {
    /// In-memory only: parsers, state machines, derivations. No files, no processes.
    @Tag public static var pure: Self
    /// Real files in temporary folders, no child processes.
    @Tag public static var files: Self
    /// Child processes (node-agent, mockchaind, curl, an HTTP server), but no sshd.
    @Tag public static var processes: Self
    /// A real sshd: the sandbox fleet (scripts/sandbox.py).
    @Tag public static var sshd: Self
    /// A sandbox whose nodes make blocks on one shared chain under agents (scheduling, rollouts, upgrades):
    /// the heaviest tier, run last and on its own so its chains do not starve the other tiers' clocks.
    @Tag public static var chain: Self
}
