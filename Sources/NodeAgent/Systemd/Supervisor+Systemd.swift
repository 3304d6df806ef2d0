extension Supervisor {
    /// Tells systemd what the supervisor shows now (readiness, status, upgrade extensions, stopping); a
    /// no-op without `NOTIFY_SOCKET`. Called wherever the state file is brought up to date.
    func notifySystemd() {
        systemd?.observe(machine.snapshot)
    }

    /// The loop's tick for systemd: the watchdog ping (only a live loop sends it) and the running
    /// upgrade step's extension.
    func tickSystemd() {
        systemd?.tick()
    }
}
