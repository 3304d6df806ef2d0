import Foundation

/// Checks a presented host key against known_hosts files, strictly.
///
/// The files are read together, as OpenSSH reads its user and global files: a key is trusted only
/// when a non-revoked entry for the host carries exactly that key, and a revoked key is refused
/// whatever else the files say. A host named by any other key, of any type, is a mismatch,
/// reported with the expected and presented fingerprints. A host named only by lines fleet cannot
/// use (`@cert-authority`, unreadable keys) is refused naming those lines. Only a host no line
/// names at all is unknown: refused under `.strict`, appended to the first file under `.acceptNew`
/// (hashed when that file already hashes its names).
public struct HostKeyVerifier: Sendable {
    /// The result of comparing a presented key with known_hosts.
    public enum Verdict: Sendable, Hashable {
        /// A matching entry exists.
        case trusted
        /// No line names the host.
        case unknown
        /// The host is known with other keys (any type): these entries.
        case mismatch(expected: [KnownHosts.Entry])
        /// The key is marked `@revoked`.
        case revoked
        /// The host is named only by lines that cannot be used (such as `@cert-authority`).
        case unusable([KnownHosts.SkippedLine])
    }

    /// The known_hosts file read and, under `.acceptNew`, appended to.
    public var knownHostsFile: String
    /// Further files read but never written (more user files, then the global ones).
    public var otherKnownHostsFiles: [String]
    /// What to do with unknown hosts.
    public var policy: HostKeyPolicy
    /// `HostKeyAlias`: the name looked up and recorded instead of the host and port.
    public var hostKeyAlias: String?

    /// Creates a verifier over `knownHostsFile` (written under `.acceptNew`) and read-only `otherKnownHostsFiles`.
    public init(
        knownHostsFile: String, otherKnownHostsFiles: [String] = [], policy: HostKeyPolicy, hostKeyAlias: String? = nil
    ) {
        self.knownHostsFile = knownHostsFile
        self.otherKnownHostsFiles = otherKnownHostsFiles
        self.policy = policy
        self.hostKeyAlias = hostKeyAlias
    }

    /// Creates the verifier for a target's files, policy and alias.
    public init(_ target: SSHTarget) {
        self.init(
            knownHostsFile: target.knownHostsFile, otherKnownHostsFiles: target.otherKnownHostsFiles,
            policy: target.hostKeyPolicy, hostKeyAlias: target.hostKeyAlias)
    }

    /// Compares `key` with the lines for `host`:`port` (or `alias`); pure.
    public static func verdict(
        for key: SSHHostKey, host: String, port: Int, alias: String? = nil, in knownHosts: KnownHosts
    ) -> Verdict {
        let entries = knownHosts.entries(for: host, port: port, alias: alias)
        if entries.contains(where: { $0.revoked && $0.key.blob == key.blob }) { return .revoked }
        let valid = entries.filter { !$0.revoked }
        if valid.contains(where: { $0.key.blob == key.blob }) { return .trusted }
        if !valid.isEmpty { return .mismatch(expected: valid) }
        let unusable = knownHosts.skippedLines(for: host, port: port, alias: alias)
        return unusable.isEmpty ? .unknown : .unusable(unusable)
    }

    /// Host-key algorithms to offer, those already known for the host first, then ed25519 and ECDSA.
    ///
    /// libssh2 1.10 prefers ECDSA by default, so a host known only by its ed25519 key would look
    /// changed; this order makes the server present a key we can check.
    public static func preferredAlgorithms(
        host: String, port: Int, alias: String? = nil, in knownHosts: KnownHosts
    ) -> [String] {
        let supported = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
        let known = knownHosts.entries(for: host, port: port, alias: alias).filter { !$0.revoked }.map(\.key.type)
        let first = supported.filter { known.contains($0) }
        return first + supported.filter { !first.contains($0) }
    }

    /// Reads every file, the written one first; a missing file reads as empty. `host` only labels errors.
    public func load(host: String) throws(SSHError) -> KnownHosts {
        var known = KnownHosts()
        for file in [knownHostsFile] + otherKnownHostsFiles {
            guard FileManager.default.fileExists(atPath: file) else { continue }
            guard let data = Self.readAll(file) else {
                throw SSHError(
                    .knownHostsFile, host: host, operation: "read known_hosts",
                    message: "cannot read \(file): \(GoText.errno(errno, capitalized: true))",
                    hint: "Check the known_hosts paths (--known-hosts, UserKnownHostsFile, GlobalKnownHostsFile) "
                        + "and their permissions")
            }
            known = known.merged(with: KnownHosts.parse(String(decoding: data, as: UTF8.self), file: file))
        }
        return known
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

    /// Verifies `key` for `host`:`port`, appending it under `.acceptNew` when no line names the host.
    ///
    /// - Throws: `SSHError` with `.hostKeyMismatch`, `.hostKeyRevoked`, `.hostKeyUnknown` or `.knownHostsFile`.
    public func verify(_ key: SSHHostKey, host: String, port: Int, known: KnownHosts) throws(SSHError) {
        let name = KnownHosts.lookupName(host: host, port: port, alias: hostKeyAlias)
        let presented = "\(key.type) \(key.fingerprint)"
        switch Self.verdict(for: key, host: host, port: port, alias: hostKeyAlias, in: known) {
        case .trusted:
            return
        case .revoked:
            let lines = known.entries(for: host, port: port, alias: hostKeyAlias)
                .filter { $0.revoked && $0.key.blob == key.blob }.map { "\($0.file):\($0.line)" }
            throw SSHError(
                .hostKeyRevoked, host: host, operation: "host key check",
                message: "\(name) presented \(presented), which \(lines.joined(separator: ", ")) marks @revoked",
                hint: "Do not connect; the key was revoked on purpose. Ask whoever runs the host for its new key")
        case .mismatch(let expected):
            throw SSHError(
                .hostKeyMismatch, host: host, operation: "host key check",
                message: "HOST KEY CHANGED for \(name): expected "
                    + expected.map { "\($0.key.type) \($0.key.fingerprint) (\($0.file):\($0.line))" }
                    .joined(separator: " or ")
                    + ", presented \(presented)",
                hint: "Someone may be intercepting the connection, or the host was reinstalled. Verify the new "
                    + "fingerprint out of band, then fix the line named above")
        case .unusable(let lines):
            throw SSHError(
                .hostKeyUnknown, host: host, operation: "host key check",
                message: "\(name) presented \(presented), but the only known_hosts lines for it cannot be used: "
                    + lines.map { "\($0.location): \($0.reason)" }.joined(separator: "; "),
                hint: "Add a plain line with the host's key (ssh-keyscan, then verify the fingerprint); fleet never "
                    + "records a key for a host that known_hosts already names")
        case .unknown:
            guard policy == .acceptNew else {
                throw SSHError(
                    .hostKeyUnknown, host: host, operation: "host key check",
                    message: "\(name) is not in \(([knownHostsFile] + otherKnownHostsFiles).joined(separator: ", ")); "
                        + "it presented \(presented)",
                    hint: "Verify the fingerprint, then add the host to known_hosts, or allow first contact with "
                        + "--accept-new-host-keys")
            }
            var salt: Data?
            if known.usesHashedNames(in: knownHostsFile) {
                var generator = SystemRandomNumberGenerator()
                salt = Data((0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            try append(KnownHosts.line(name: name, key: key, hashSalt: salt), host: host)
        }
    }

    /// Appends one line with a single `write(2)` on an `O_APPEND` descriptor, so parallel appends never interleave.
    private func append(_ line: String, host: String) throws(SSHError) {
        Self.createMissingDirectories(of: knownHostsFile)
        let fd = open(knownHostsFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SSHError(
                .knownHostsFile, host: host, operation: "record host key",
                message: "cannot open \(knownHostsFile) for appending: \(GoText.errno(errno, capitalized: true))",
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

    /// Creates the missing directories above `file` with mode 0700, as OpenSSH creates `~/.ssh`.
    private static func createMissingDirectories(of file: String) {
        var missing: [String] = []
        var directory = (file as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/", !FileManager.default.fileExists(atPath: directory) {
            missing.append(directory)
            directory = (directory as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() { _ = mkdir(path, 0o700) }
    }
}
