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
        #expect(known.skipped[1].problem == .certAuthority && known.skipped[1].location == "known_hosts:4")
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
        #expect(
            HostKeyVerifier.verdict(for: try Self.key(Self.ecdsaText), host: "h", port: 2222, in: known) == .revoked)
        #expect(HostKeyVerifier.verdict(for: key, host: "nowhere", port: 22, in: known) == .unknown)
        #expect(
            HostKeyVerifier.verdict(for: key, host: "h", port: 2222, in: known)
                == .mismatch(expected: Array(known.entries[0...1])))
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
            #expect(throws: SSHError.self) {
                try strict.verify(key, host: "h", port: 2222, known: try strict.load(host: "h"))
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            let lenient = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            try lenient.verify(key, host: "h", port: 2222, known: try lenient.load(host: "h"))
            try "g \(Self.otherText)".write(toFile: path, atomically: false, encoding: .utf8)  // no final newline
            try lenient.verify(key, host: "h", port: 2222, known: try lenient.load(host: "h"))
            #expect(
                try String(contentsOfFile: path, encoding: .utf8) == "g \(Self.otherText)\n[h]:2222 \(Self.keyText)\n")
            try strict.verify(key, host: "h", port: 2222, known: try strict.load(host: "h"))
        }
    }
}

extension KnownHostsTests {
    @Test func crlfLineEndsAndTrailingBlanksAreRead() throws {
        let text = "# written on Windows \r\n[h]:2222 \(Self.keyText) \t\r\n  g \(Self.ecdsaText)\t \r\n\r\n"
        let known = KnownHosts.parse(text, file: "/kh")
        #expect(known.skipped.isEmpty)
        #expect(known.entries.map(\.line) == [2, 3] && known.entries.allSatisfy { $0.file == "/kh" })
        #expect(HostKeyVerifier.verdict(for: try Self.key(Self.keyText), host: "h", port: 2222, in: known) == .trusted)
        // A changed key in a CRLF file is a change, never a new host.
        let other = try Self.key(Self.otherText)
        #expect(
            HostKeyVerifier.verdict(for: other, host: "h", port: 2222, in: known)
                == .mismatch(expected: [known.entries[0]]))
    }

    @Test func changedKeyInACRLFFileIsNeverRecorded() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/known_hosts"
            let original = "g \(Self.otherText)\r\n[h]:2222 \(Self.keyText)\r\n"
            try original.write(toFile: path, atomically: false, encoding: .utf8)
            let verifier = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            let other = try Self.key(Self.otherText)
            let error = #expect(throws: SSHError.self) {
                try verifier.verify(other, host: "h", port: 2222, known: try verifier.load(host: "h"))
            }
            #expect(error?.code == .hostKeyMismatch)
            #expect(error?.message.contains(try Self.key(Self.keyText).fingerprint) == true)
            #expect(error?.message.contains(other.fingerprint) == true)
            #expect(error?.message.contains("\(path):2") == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        }
    }

    @Test func linesFleetCannotUseStillMakeTheHostKnown() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/known_hosts"
            let original = "@cert-authority *.example \(Self.otherText)\n[h]:2222 ssh-ed25519 !!!notbase64\n"
            try original.write(toFile: path, atomically: false, encoding: .utf8)
            let verifier = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            let known = try verifier.load(host: "x")
            let key = try Self.key(Self.keyText)
            #expect(
                HostKeyVerifier.verdict(for: key, host: "a.example", port: 22, in: known)
                    == .unusable([known.skipped[0]]))
            #expect(
                HostKeyVerifier.verdict(for: key, host: "h", port: 2222, in: known) == .unusable([known.skipped[1]]))
            let ca = #expect(throws: SSHError.self) {
                try verifier.verify(key, host: "a.example", port: 22, known: known)
            }
            #expect(ca?.code == .hostKeyUnknown)
            #expect(ca?.message.contains("\(path):1: @cert-authority") == true)
            let unreadable = #expect(throws: SSHError.self) {
                try verifier.verify(key, host: "h", port: 2222, known: known)
            }
            #expect(unreadable?.message.contains("\(path):2") == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        }
    }

    @Test func everyFileIsReadAndOnlyTheFirstIsWritten() throws {
        try withTemporaryDirectoryBlocking { directory in
            let user = directory + "/known_hosts"
            let global = try SSHTestSupport.write(
                "[h]:2222 \(Self.ecdsaText)\n@revoked * \(Self.otherText)\n", to: directory + "/global")
            let verifier = HostKeyVerifier(
                knownHostsFile: user, otherKnownHostsFiles: [directory + "/missing", global], policy: .acceptNew)
            let key = try Self.key(Self.keyText)
            // Known in the global file with another key type: a change, not a new host.
            let changed = #expect(throws: SSHError.self) {
                try verifier.verify(key, host: "h", port: 2222, known: try verifier.load(host: "h"))
            }
            #expect(changed?.code == .hostKeyMismatch)
            #expect(changed?.message.contains(try Self.key(Self.ecdsaText).fingerprint) == true)
            #expect(changed?.message.contains(key.fingerprint) == true)
            #expect(!FileManager.default.fileExists(atPath: user))
            // Trusted through the global file alone.
            try HostKeyVerifier(knownHostsFile: user, otherKnownHostsFiles: [global], policy: .strict)
                .verify(try Self.key(Self.ecdsaText), host: "h", port: 2222, known: try verifier.load(host: "h"))
            // Revoked in the global file beats a user line.
            try "g \(Self.otherText)\n".write(toFile: user, atomically: false, encoding: .utf8)
            let revoked = #expect(throws: SSHError.self) {
                try verifier.verify(
                    try Self.key(Self.otherText), host: "g", port: 22, known: try verifier.load(host: "g"))
            }
            #expect(revoked?.code == .hostKeyRevoked)
            #expect(revoked?.message.contains("\(global):2") == true)
        }
    }

    @Test func hostKeyAliasIsLookedUpAndRecorded() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/known_hosts"
            let key = try Self.key(Self.keyText)
            let verifier = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew, hostKeyAlias: "validator-one")
            try verifier.verify(key, host: "10.0.0.5", port: 2222, known: try verifier.load(host: "10.0.0.5"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "validator-one \(Self.keyText)\n")
            let known = try verifier.load(host: "10.0.0.5")
            #expect(
                HostKeyVerifier.verdict(for: key, host: "10.0.0.9", port: 22, alias: "validator-one", in: known)
                    == .trusted)
            #expect(HostKeyVerifier.verdict(for: key, host: "10.0.0.5", port: 2222, in: known) == .unknown)
        }
    }

    @Test func acceptNewHashesTheNameWhenTheFileDoes() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = try SSHTestSupport.write(Self.hashed + "\n", to: directory + "/known_hosts")
            let verifier = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            let key = try Self.key(Self.otherText)
            try verifier.verify(key, host: "new.example", port: 2222, known: try verifier.load(host: "x"))
            let added = try #require(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last)
            #expect(added.hasPrefix("|1|") && !added.contains("new.example") && added.hasSuffix(Self.otherText))
            let known = try verifier.load(host: "x")
            #expect(known.entries(for: "new.example", port: 2222).map(\.key) == [key])
            // OpenSSH finds it too.
            #expect(
                try SSHTestSupport.sh(["ssh-keygen", "-F", "[new.example]:2222", "-f", path]).contains(String(added)))
        }
    }

    @Test func missingDirectoriesAreCreatedPrivate() throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/home/.ssh/known_hosts"
            let verifier = HostKeyVerifier(knownHostsFile: path, policy: .acceptNew)
            try verifier.verify(try Self.key(Self.keyText), host: "h", port: 22, known: try verifier.load(host: "h"))
            let mode = { (path: String) throws -> Int in
                try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            }
            #expect(try mode(directory + "/home/.ssh") == 0o700)
            #expect(try mode(directory + "/home") == 0o700)
            #expect(try mode(path) == 0o600)
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
