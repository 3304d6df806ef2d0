import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// known_hosts parsing and the strict verdicts, without any network.
@Suite(.tags(.files)) struct KnownHostsTests {
    static let keyText = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFVpJFhBmb35T5LVdQ7RhqZKGc7gNLSxXVpzBarYJaEC"
    static let otherText = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAeNW4Gv2k2jubH81Cc4twsQRwEYVqDwnWeg4oACoHXB"
    static let ecdsaText =
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLbIrBl3c/TtFppfjaqGym/jH2RLkccdfPThPvweLfiSdxFCClR8F+bQyB2fU29F6zVmCUyYWlS4i1Jvq+G5zMA="
    /// `ssh-keygen -H` output for `[10.1.2.3]:2222` and `node.example` with `keyText`.
    static let hashed = """
        |1|tT4CFoPNE3R4HOLZI5g/NSKop3A=|C0XlBPVV/ok3X28ISQORGrlk2E4= \(keyText)
        |1|5XCDN1VrjN19l2VoDBtvKgX4x/s=|6OY+5HKmj62AQ5xQjDOPJ92hX84= \(keyText)
        """

    static func key(_ text: String) throws -> SSHHostKey {
        let blob = try #require(Data(base64Encoded: String(text.split(separator: " ")[1])))
        return try #require(SSHHostKey(blob: blob))
    }

    @Test func fingerprintMatchesSSHKeygen() throws {
        #expect(try Self.key(Self.keyText).fingerprint == "SHA256:lU3SeVwPfq1QHVHYFb052ykWlnFeJdInhK6806GS4fI")
        #expect(try Self.key(Self.otherText).fingerprint == "SHA256:pspNGl74JZnOCYQ+CrA7MAGfhpfrqD2/Ypbeqs5LjSU")
        #expect(try Self.key(Self.ecdsaText).type == "ecdsa-sha2-nistp256")
    }

    @Test func hashedEntriesMatchOnlyTheirHost() throws {
        let known = KnownHosts.parse(Self.hashed)
        #expect(known.entries.count == 2 && known.skipped.isEmpty)
        #expect(known.entries(for: "10.1.2.3", port: 2222).count == 1)
        #expect(known.entries(for: "NODE.example", port: 22).count == 1)
        #expect(known.entries(for: "10.1.2.3", port: 22).isEmpty)
        #expect(known.entries(for: "node.example", port: 2222).isEmpty)
        #expect(known.entries(for: "10.1.2.4", port: 2222).isEmpty)
    }

    @Test(arguments: [
        ("10.0.0.1", 22, true), ("10.0.0.1", 2222, false), ("a.example", 22, true), ("b.example", 22, true),
        ("bad.example", 22, false), ("10.0.0.9", 2200, true), ("c.example", 22, false), ("x.lan", 22, true),
    ])
    func plainPatterns(host: String, port: Int, matches: Bool) {
        let text = """
            10.0.0.1,a.example \(Self.keyText)
            [10.0.0.9]:2200 \(Self.keyText)
            *.example,!bad.example,!c.* \(Self.keyText)
            ?.lan \(Self.keyText)
            """
        #expect(!KnownHosts.parse(text).entries(for: host, port: port).isEmpty == matches)
    }

    @Test func unusableLinesAreSkippedWithoutHidingLaterOnes() throws {
        let text = """
            # comment

            badline
            @cert-authority *.example \(Self.otherText)
            @weird host \(Self.otherText)
            host ssh-ed25519 !!!
            host ssh-rsa \(Self.keyText.split(separator: " ")[1])
            |1|bogus|salt \(Self.keyText)
            host \(Self.keyText) trailing comment words
            """
        let known = KnownHosts.parse(text)
        #expect(known.skipped.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(known.entries.map(\.line) == [9])
        #expect(HostKeyVerifier.verdict(for: try Self.key(Self.keyText), host: "host", port: 22, in: known) == .trusted)
    }

    @Test func verdicts() throws {
        let key = try Self.key(Self.keyText)
        let other = try Self.key(Self.otherText)
        let known = KnownHosts.parse(
            """
            [h]:2222 \(Self.otherText)
            [h]:2222 \(Self.ecdsaText)
            g \(Self.keyText)
            @revoked g \(Self.otherText)
            @revoked * \(Self.ecdsaText)
            """)
        #expect(HostKeyVerifier.verdict(for: key, host: "g", port: 22, in: known) == .trusted)
        #expect(HostKeyVerifier.verdict(for: other, host: "g", port: 22, in: known) == .revoked)
        #expect(HostKeyVerifier.verdict(for: try Self.key(Self.ecdsaText), host: "h", port: 2222, in: known) == .revoked)
        #expect(HostKeyVerifier.verdict(for: key, host: "nowhere", port: 22, in: known) == .unknown)
        #expect(
            HostKeyVerifier.verdict(for: key, host: "h", port: 2222, in: known)
                == .mismatch(expected: [other.fingerprint, try Self.key(Self.ecdsaText).fingerprint]))
    }

    @Test func preferredAlgorithmsPutKnownTypesFirst() {
        let known = KnownHosts.parse("[h]:2222 \(Self.ecdsaText)\n")
        #expect(HostKeyVerifier.preferredAlgorithms(host: "h", port: 2222, in: known).first == "ecdsa-sha2-nistp256")
        #expect(HostKeyVerifier.preferredAlgorithms(host: "new", port: 22, in: known).first == "ssh-ed25519")
    }

    @Test func acceptNewAppendsOneLineAndStrictDoesNot() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/sub/known_hosts"
            let key = try Self.key(Self.keyText)
            let strict = HostKeyVerifier(knownHostsFile: path, policy: .strict)
            #expect(throws: SSHError.self) { try strict.verify(key, host: "h", port: 2222, known: try strict.load(host: "h")) }
            #expect(!FileManager.default.fileExists(atPath: path))
            let lenient = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            try lenient.verify(key, host: "h", port: 2222, known: try lenient.load(host: "h"))
            try "g \(Self.otherText)".write(toFile: path, atomically: false, encoding: .utf8)  // no final newline
            try lenient.verify(key, host: "h", port: 2222, known: try lenient.load(host: "h"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "g \(Self.otherText)\n[h]:2222 \(Self.keyText)\n")
            try strict.verify(key, host: "h", port: 2222, known: try strict.load(host: "h"))
        }
    }
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectoryBlocking(_ body: (String) throws -> Void) throws {
    var template = Array("/tmp/fleet-unit.XXXXXX".utf8CString)
    let path = String(cString: try #require(mkdtemp(&template)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(path)
}
