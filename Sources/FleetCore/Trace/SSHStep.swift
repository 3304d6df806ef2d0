import Logging

/// A step of one SSH conversation, as `fleet -v` reports it.
public enum SSHStep: String, Sendable, CaseIterable {
    /// TCP connect to the host's port.
    case connect = "tcp connect"
    /// A `direct-tcpip` channel opened through the route's bastion connection (`ProxyJump`).
    case tunnel = "bastion tunnel"
    /// The SSH handshake (banner, key exchange).
    case handshake
    /// The host key checked against known_hosts.
    case hostKey = "host key check"
    /// User authentication (agent, then key files).
    case authentication
    /// One remote command.
    case exec
    /// One SFTP operation (stat, read, write, upload).
    case sftp
}

extension Logger {
    /// Reports, at debug level, that `step` finished `start` ago (`fleet.ssh.step`, `fleet.ms`).
    ///
    /// The SSH layer calls this after each step; `fleet -v` prints it, other callers' loggers drop it.
    package func sshStep(_ step: SSHStep, since start: ContinuousClock.Instant, _ detail: String? = nil) {
        guard logLevel <= .debug else { return }
        var metadata: Metadata = ["fleet.ms": "\(Self.milliseconds(since: start))"]
        if let detail { metadata["fleet.detail"] = "\(detail)" }
        debug("\(step.rawValue)", metadata: metadata)
    }

    /// Whole milliseconds from `start` to now.
    package static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
