import Foundation

/// Checks a presented host key against known_hosts, strictly.
///
/// A key is trusted only when a non-revoked entry for the host carries exactly that key. A revoked
/// key is refused whatever else the file says. A host with entries but none for the presented key
/// is a mismatch, reported with the expected and presented fingerprints. A host with no entry at
/// all is unknown: refused under `.strict`, appended to the file under `.acceptNew`.
public struct HostKeyVerifier: Sendable {
    /// The result of comparing a presented key with known_hosts.
    public enum Verdict: Sendable, Hashable {
        /// A matching entry exists.
        case trusted
        /// No entry names the host.
        case unknown
        /// The host is known with other keys, whose fingerprints are given.
        case mismatch(expected: [String])
        /// The key is marked `@revoked`.
        case revoked
    }

    /// The known_hosts file read and, under `.acceptNew`, appended to.
    public var knownHostsFile: String
    /// What to do with unknown hosts.
    public var policy: HostKeyPolicy

    /// Creates a verifier over one known_hosts file.
    public init(knownHostsFile: String, policy: HostKeyPolicy) {
        self.knownHostsFile = knownHostsFile
        self.policy = policy
    }

    /// Compares `key` with the entries for `host`:`port`; pure.
    public static func verdict(for key: SSHHostKey, host: String, port: Int, in knownHosts: KnownHosts) -> Verdict {
        let entries = knownHosts.entries(for: host, port: port)
        if entries.contains(where: { $0.revoked && $0.key.blob == key.blob }) { return .revoked }
        let valid = entries.filter { !$0.revoked }
        if valid.contains(where: { $0.key.blob == key.blob }) { return .trusted }
        if valid.isEmpty { return .unknown }
        return .mismatch(expected: valid.map(\.key.fingerprint))
    }

    /// Host-key algorithms to offer, those already known for the host first, then ed25519 and ECDSA.
    ///
    /// libssh2 1.10 prefers ECDSA by default, so a host known only by its ed25519 key would look
    /// changed; this order makes the server present a key we can check.
    public static func preferredAlgorithms(host: String, port: Int, in knownHosts: KnownHosts) -> [String] {
        let supported = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
        let known = knownHosts.entries(for: host, port: port).filter { !$0.revoked }.map(\.key.type)
        let first = supported.filter { known.contains($0) }
        return first + supported.filter { !first.contains($0) }
    }

    /// Reads known_hosts; a missing file reads as empty. `host` only labels errors.
    public func load(host: String) throws(SSHError) -> KnownHosts {
        guard FileManager.default.fileExists(atPath: knownHostsFile) else { return KnownHosts(entries: [], skipped: []) }
        guard let data = Self.readAll(knownHostsFile) else {
            throw SSHError(
                .knownHostsFile, host: host, operation: "read known_hosts", message: "cannot read \(knownHostsFile)",
                hint: "Check the path given as known_hosts file and its permissions")
        }
        return KnownHosts.parse(String(decoding: data, as: UTF8.self))
    }

    /// The whole file through POSIX reads (Foundation refuses character devices such as /dev/null).
    private static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return result }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            result += chunk[0..<count]
        }
    }

    /// Verifies `key` for `host`:`port`, appending it under `.acceptNew` when the host is unknown.
    ///
    /// - Throws: `SSHError` with `.hostKeyMismatch`, `.hostKeyRevoked`, `.hostKeyUnknown` or `.knownHostsFile`.
    public func verify(_ key: SSHHostKey, host: String, port: Int, known: KnownHosts) throws(SSHError) {
        let name = KnownHosts.lookupName(host: host, port: port)
        switch Self.verdict(for: key, host: host, port: port, in: known) {
        case .trusted:
            return
        case .revoked:
            throw SSHError(
                .hostKeyRevoked, host: host, operation: "host key check",
                message: "\(name) presented \(key.type) key \(key.fingerprint), which \(knownHostsFile) marks @revoked",
                hint: "Do not connect; the key was revoked on purpose. Ask whoever runs the host for its new key")
        case .mismatch(let expected):
            throw SSHError(
                .hostKeyMismatch, host: host, operation: "host key check",
                message: "HOST KEY CHANGED for \(name): expected \(expected.joined(separator: " or ")), "
                    + "presented \(key.type) \(key.fingerprint)",
                hint: "Someone may be intercepting the connection, or the host was reinstalled. Verify the new "
                    + "fingerprint out of band, then fix its line in \(knownHostsFile)")
        case .unknown:
            guard policy == .acceptNew else {
                throw SSHError(
                    .hostKeyUnknown, host: host, operation: "host key check",
                    message: "\(name) is not in \(knownHostsFile); it presented \(key.type) \(key.fingerprint)",
                    hint: "Verify the fingerprint, then add the host to known_hosts, or allow first contact with "
                        + "--accept-new-host-keys")
            }
            try append(KnownHosts.line(host: host, port: port, key: key), host: host)
        }
    }

    /// Appends one line with a single `write(2)` on an `O_APPEND` descriptor, so parallel appends never interleave.
    private func append(_ line: String, host: String) throws(SSHError) {
        let directory = (knownHostsFile as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(knownHostsFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SSHError(
                .knownHostsFile, host: host, operation: "record host key",
                message: "cannot open \(knownHostsFile) for appending: \(String(cString: strerror(errno)))",
                hint: "Make the known_hosts file writable, or add the host yourself")
        }
        defer { close(fd) }
        var text = line + "\n"
        let reader = open(knownHostsFile, O_RDONLY | O_CLOEXEC)
        if reader >= 0 {
            var last: UInt8 = 10
            if lseek(reader, -1, SEEK_END) >= 0, read(reader, &last, 1) == 1, last != 10 { text = "\n" + text }
            close(reader)
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw SSHError(
                .knownHostsFile, host: host, operation: "record host key",
                message: "short write to \(knownHostsFile)", hint: "Check free disk space")
        }
    }
}
