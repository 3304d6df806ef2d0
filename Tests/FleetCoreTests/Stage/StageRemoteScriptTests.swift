import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The node-side commands of `fleet stage`, run by a real `/bin/sh` on real files.
@Suite(.tags(.processes), .timeLimit(.minutes(1))) struct StageRemoteScriptTests {
    /// The node's cache (`XDG_CACHE_HOME`) for the scripts run by ``sh(_:)``; each test sets its own.
    @TaskLocal static var cache = "/nonexistent"

    static func sh(_ script: String) throws -> CommandResult {
        try ProcessRunner.run(["/bin/sh", "-c", script], environment: ["XDG_CACHE_HOME": cache])
    }

    static func inspect(_ target: String) throws -> StageRemoteFacts {
        let result = try sh(StageRemoteScript.inspect(target: target))
        return try StageRemoteScript.parseInspection(
            stdout: result.stdout, exitStatus: result.exitCode, stderr: result.stderr
        ).get()
    }

    @Test func inspectionTellsWhatIsAtTheTargetAndRemovesOnlyRecognisedTempFiles() async throws {
        try await withTemporaryDirectory { root in
            try Self.$cache.withValue(root + "/cache") {
                // A directory name a shell would split or expand, to show every value is quoted.
                let bin = root + "/it's $(x) *"
                try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
                let target = bin + "/gaiad"
                let missing = try Self.inspect(target)
                #expect(missing.target == .missing && missing.removedTemporaries == 0)
                // The free space of the folder's filesystem, as df counts it.
                #expect((missing.freeBytes ?? 0) > 0, "\(missing)")

                try Data("hello\n".utf8).write(to: URL(fileURLWithPath: target))
                let sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
                for leftover in [".gaiad.fleet-1a2b.tmp", ".gaiad.fleet-ffff.tmp"] {
                    try Data().write(to: URL(fileURLWithPath: bin + "/" + leftover))
                }
                for kept in [".other.fleet-1.tmp", "gaiad.fleet-1.tmp", ".gaiad.fleet-1.part"] {
                    try Data().write(to: URL(fileURLWithPath: bin + "/" + kept))
                }
                let found = try Self.inspect(target)
                #expect(found.target == .file(sha256: sha) && found.removedTemporaries == 2, "\(found)")
                let left = try FileManager.default.contentsOfDirectory(atPath: bin).sorted()
                #expect(left == [".gaiad.fleet-1.part", ".other.fleet-1.tmp", "gaiad", "gaiad.fleet-1.tmp"])

                let inode = try #require(
                    (FileManager.default.attributesOfItem(atPath: target)[.systemFileNumber] as? NSNumber)?.uint64Value)
                // A recheck reports the file's identity; it records the sha256 only for the verified file.
                let recorded = String(repeating: "c", count: 64)
                for (verified, records) in [(inode + 1, false), (inode, true)] {
                    let recheck = try Self.sh(
                        StageRemoteScript.recheck(
                            target: target, verified: .init(inode: verified, size: 6), sha256: recorded))
                    let identity = try StageRemoteScript.parseRecheck(
                        stdout: recheck.stdout, exitStatus: recheck.exitCode, stderr: recheck.stderr
                    ).get()
                    #expect(identity == StageRemoteFacts.Identity(inode: inode, size: 6))
                    // The next inspection takes the recorded sha256 instead of hashing (so "c…" shows it was read).
                    #expect(try Self.inspect(target).target == .file(sha256: records ? recorded : sha))
                }
                // Any change to the file (here its mode, which moves the ctime) makes the record stale.
                try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: target)
                #expect(try Self.inspect(target).target == .file(sha256: sha))

                try FileManager.default.removeItem(atPath: target)
                try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: "nowhere")
                #expect(try Self.inspect(target).target == .symlink)
                try FileManager.default.removeItem(atPath: target)
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
                #expect(try Self.inspect(target).target == .directory)
                let gone = try Self.sh(
                    StageRemoteScript.recheck(target: target, verified: .init(inode: inode, size: 6), sha256: sha))
                #expect(
                    try StageRemoteScript.parseRecheck(
                        stdout: gone.stdout, exitStatus: gone.exitCode, stderr: gone.stderr
                    )
                    .get() == nil)
            }
        }
    }

    @Test func outputThatIsNotTheScriptsIsAFailureNotAFact() {
        let parsed = StageRemoteScript.parseInspection(
            stdout: Data("target\tfile\tnot-a-hash\n".utf8), exitStatus: 0, stderr: Data())
        #expect((try? parsed.get()) == nil)
        let failed = StageRemoteScript.parseInspection(
            stdout: Data(), exitStatus: 1, stderr: Data("sh: permission denied\n".utf8))
        #expect(throws: StageFailure(reason: "reading the target failed (exit 1): sh: permission denied")) {
            try failed.get()
        }
    }

    @Test func pullFailuresSayWhy() throws {
        let want = String(repeating: "a", count: 64)
        func reason(_ exit: Int32, stdout: String = "", stderr: String = "") -> String? {
            if case .failure(let failure) = StageRemoteScript.parsePull(
                stdout: Data(stdout.utf8), exitStatus: exit, stderr: Data(stderr.utf8), url: "http://x/y", sha256: want)
            {
                return failure.reason
            }
            return nil
        }
        #expect(
            reason(11, stderr: "curl: (22) The requested URL returned error: 404\n")
                == "downloading http://x/y failed: curl: (22) The requested URL returned error: 404")
        #expect(
            reason(12, stdout: "sha256\t\(String(repeating: "b", count: 64))\n")
                == "the downloaded file has sha256 \(String(repeating: "b", count: 64)), expected \(want)")
        #expect(reason(10)?.contains("curl is not installed") == true)
        #expect(
            try StageRemoteScript.parsePull(
                stdout: Data("verified\t77 42\ndone\n".utf8), exitStatus: 0, stderr: Data(), url: "u", sha256: want
            ).get() == StageRemoteFacts.Identity(inode: 77, size: 42))
    }
}
