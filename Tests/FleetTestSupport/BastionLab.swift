import Foundation

/// Real sshd hosts in a row, each reachable only through the one before it: bastions, then a target.
///
/// With ``Isolation/namespaces`` (root) every host runs in its own network namespace of a
/// ``NetworkNamespaceChain``, so this process can reach the first host only and a session to a later
/// one proves the path went through the bastions. With ``Isolation/loopback`` (where namespaces are
/// not allowed) every host listens on loopback; then the proof is the bastion's sshd log, written at
/// `LogLevel DEBUG1`, which records each `direct-tcpip` request (``directTCPIPRequests(on:)``).
/// sshd runs as user `fleetsbx` (root) or as this user, configured as scripts/sandbox.py does.
public struct BastionLab: Sendable {
    /// How the hosts are kept apart.
    public enum Isolation: Sendable, Hashable, CustomStringConvertible {
        /// One network namespace per host (root only).
        case namespaces
        /// All on loopback; proof through the logs.
        case loopback
        /// Namespaces where this process may create them, else loopback.
        public static var best: Isolation { NetworkNamespaceChain.available ? .namespaces : .loopback }
        public var description: String { self == .namespaces ? "namespaces" : "loopback" }
    }

    /// One sshd.
    public struct Host: Sendable {
        /// Where it listens.
        public var address: String
        /// The ports it listens on (several let one sshd stand for several inventory hosts).
        public var ports: [Int]
        /// Its folder (config, keys, log).
        public var dir: String
        /// Its log, at `LogLevel DEBUG1`.
        public var log: String
        /// Its host public key line (`type base64`).
        public var hostKey: String
        /// The address its connections to the next host come from (namespaces only).
        public var outgoingAddress: String?
    }

    /// How the hosts are kept apart.
    public var isolation: Isolation
    /// The hosts, first bastion first, target last.
    public var hosts: [Host]
    /// The login user on every host.
    public var user: String
    /// The client key every host accepts.
    public var clientKey: String
    /// known_hosts with every host's real key on every port.
    public var knownHosts: String
    /// A scratch folder for the test (inventories, configs, other known_hosts).
    public var scratch: String
    /// A folder the login user may write to on every host (they share this machine's file system).
    public var remoteDirectory: String

    /// The last host.
    public var target: Host { hosts[hosts.count - 1] }

    /// A fresh ed25519 public key line (`type base64`) that no host has: an impostor's key.
    public func newPublicKey() throws -> String {
        let path = scratch + "/key-\(UUID().uuidString)"
        try BastionLabSetup.command(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path])
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8)
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The sshd log of `host`.
    public func log(_ host: Host) -> String {
        (try? String(contentsOfFile: host.log, encoding: .utf8)) ?? ""
    }

    /// Lines of `host`'s log that contain `text`.
    public func lines(_ host: Host, containing text: String) -> [String] {
        // sshd -E ends its lines with CRLF.
        log(host).split(whereSeparator: \.isNewline).map(String.init).filter { $0.contains(text) }
    }

    /// The `direct-tcpip` requests `host` received, as `address port` of the destination, in order
    /// (sshd logs `server_request_direct_tcpip: originator 127.0.0.1 port 0, target 10.0.0.2 port 2222`).
    public func directTCPIPRequests(on host: Host) -> [String] {
        lines(host, containing: "server_request_direct_tcpip: originator").compactMap { line in
            guard let range = line.range(of: "target ") else { return nil }
            return String(line[range.upperBound...]).replacing(" port ", with: " ")
        }
    }

    /// Sessions authenticated on `host` (one per SSH connection).
    public func acceptedLogins(on host: Host) -> Int { lines(host, containing: "Accepted publickey for").count }

    /// Connections `host` accepted, authenticated or not.
    public func connections(on host: Host) -> Int { lines(host, containing: "Connection from ").count }
}

/// Starts a ``BastionLab`` of `count` hosts (the last one listening on `targetPorts` ports), runs
/// `body`, then kills every sshd, removes the namespaces and checks nothing is left.
public func withBastionLab<T>(
    hosts count: Int,
    targetPorts: Int = 1,
    isolation: BastionLab.Isolation = .best,
    _ body: (BastionLab) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory("fleet-bastion") { directory in
        let chain = isolation == .namespaces ? try await runOffPool { try NetworkNamespaceChain.create(count) } : nil
        var processes: [pid_t] = []
        do {
            let lab = try await runOffPool {
                try BastionLabSetup.prepare(directory, hosts: count, targetPorts: targetPorts, chain: chain)
            }
            for (index, host) in lab.hosts.enumerated() {
                processes.append(try BastionLabSetup.startSSHD(host, namespace: chain?.names[index]))
            }
            for host in lab.hosts {
                try await waitUntil("sshd on \(host.address) to listen (\(host.log))") {
                    lab.lines(host, containing: "Server listening on").count == host.ports.count
                }
            }
            let value = try await body(lab)
            try await BastionLabSetup.stop(processes, chain: chain, directory: directory)
            return value
        } catch {
            try? await BastionLabSetup.stop(processes, chain: chain, directory: directory)
            throw error
        }
    }
}
