@testable import FleetCore
import FleetTestSupport
import Foundation
import Synchronization
import Testing

/// SFTP against a real sshd: big uploads, modes, odd names, links, small files, crash safety.
@Suite(.tags(.sshd), .timeLimit(.minutes(3)))
struct SFTPTests {
    @Test func uploads200MiBByteIdenticalWithModeAndProgress() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let local = sandbox.root + "/big.bin"
            // Heavy local work runs off the cooperative pool, which other suites share.
            let (digest, expected) = try await runOffPool {
                try SSHTestSupport.sh(["sh", "-c", "head -c 209715200 /dev/urandom > \(local)"])
                return (
                    try FileDigest.sha256(ofFile: local),
                    String(try SSHTestSupport.sh(["sha256sum", local]).prefix(64))
                )
            }
            #expect(digest == expected)
            let remote = node.home + "/big.bin"
            let reports = Mutex<[UploadProgress]>([])
            let started = ContinuousClock.now
            let refillsBefore = LibSSH2Keystream.refills.load(ordering: .relaxed)
            try await withSSHConnection(SSHTestSupport.target(sandbox, node)) { ssh in
                try await ssh.upload(
                    localPath: local, remotePath: remote, mode: 0o750, fsync: true, expectedSHA256: digest
                ) { progress in reports.withLock { $0.append(progress) } }
                let attributes = try await ssh.stat(remote)
                #expect(attributes.kind == .regular)
                #expect(attributes.permissions == 0o750)
                #expect(attributes.size == 209_715_200)
            }
            print("200 MiB upload (connect, fsync, sha256 check, rename): \(ContinuousClock.now - started)")
            // libssh2 encrypted it through LibSSH2Keystream's bulk keystream (one refill per 4 KiB).
            let refills = LibSSH2Keystream.refills.load(ordering: .relaxed) - refillsBefore
            #expect(refills >= 209_715_200 / LibSSH2Keystream.bufferSize)
            #expect(try await runOffPool { try FileDigest.sha256(ofFile: remote) } == digest)
            let seen = reports.withLock { $0 }
            #expect(seen.count >= 150)
            #expect(seen.last == UploadProgress(bytesSent: 209_715_200, totalBytes: 209_715_200))
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.bytesSent < $1.bytesSent })
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: node.home).filter {
                $0.contains("fleet-")
            }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func oddPathsReplacementLinksAndSmallFiles() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let directory = node.home + "/dir with spaces/ünïcødé 日本/sub"
            let remote = directory + "/file with 'quote' and ü $(x).bin"
            let first = try SSHTestSupport.write("first version\n", to: sandbox.root + "/v1")
            let second = try SSHTestSupport.write("second version, longer\n", to: sandbox.root + "/v2")
            try await withSSHConnection(SSHTestSupport.target(sandbox, node)) { ssh in
                try await ssh.mkdirP(directory)
                try await ssh.mkdirP(directory)
                #expect(try await ssh.stat(directory).kind == .directory)
                try await ssh.upload(localPath: first, remotePath: remote, mode: 0o640)
                #expect(try String(contentsOfFile: remote, encoding: .utf8) == "first version\n")
                #expect(try await ssh.stat(remote).permissions == 0o640)
                // The target exists now: SFTP rename cannot replace it, so the upload must use `mv -f`.
                try await ssh.upload(localPath: second, remotePath: remote, mode: 0o755)
                #expect(try String(contentsOfFile: remote, encoding: .utf8) == "second version, longer\n")
                #expect(try await ssh.stat(remote).permissions == 0o755)

                let wrong = await #expect(throws: SSHError.self) {
                    try await ssh.upload(
                        localPath: first, remotePath: remote, expectedSHA256: String(repeating: "0", count: 64))
                }
                #expect(wrong?.code == .remoteCommand)
                #expect(try String(contentsOfFile: remote, encoding: .utf8) == "second version, longer\n")
                let names = try FileManager.default.contentsOfDirectory(atPath: directory)
                #expect(names == ["file with 'quote' and ü $(x).bin"])

                _ = try await ssh.exec(arguments: [
                    "ln", "-s", "../sub/" + (remote as NSString).lastPathComponent, directory + "/link",
                ])
                #expect(try await ssh.readlink(directory + "/link") == "../sub/file with 'quote' and ü $(x).bin")
                #expect(try await ssh.lstat(directory + "/link").kind == .symlink)
                #expect(try await ssh.stat(directory + "/link").kind == .regular)
                let notLink = await #expect(throws: SSHError.self) { try await ssh.readlink(remote) }
                #expect(notLink?.message == "not a symbolic link")
                let missingLink = await #expect(throws: SSHError.self) { try await ssh.readlink(directory + "/nope") }
                #expect(missingLink?.code == .notFound)
                let missing = await #expect(throws: SSHError.self) { try await ssh.stat(directory + "/nope") }
                #expect(missing?.code == .notFound)

                let small = Data("key = \"välue\"\n".utf8)
                try await ssh.writeFile(small, to: directory + "/config.toml", mode: 0o600)
                #expect(try await ssh.readFile(directory + "/config.toml") == small)
                #expect(try await ssh.stat(directory + "/config.toml").permissions == 0o600)
                try await ssh.writeFile(Data("x".utf8), to: directory + "/config.toml", atomically: false)
                #expect(try await ssh.readFile(directory + "/config.toml") == Data("x".utf8))
                let tooBig = await #expect(throws: SSHError.self) { try await ssh.readFile(remote, maxBytes: 4) }
                #expect(tooBig?.code == .invalidArgument)
                try await ssh.remove(directory + "/config.toml")
                let gone = await #expect(throws: SSHError.self) { try await ssh.readFile(directory + "/config.toml") }
                #expect(gone?.code == .notFound)
            }
        }
    }

    @Test func killedSessionLeavesNothingAtFinalPath() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let listener = try #require(node.sshdPid)
            let local = sandbox.root + "/medium.bin"
            _ = try await runOffPool {
                try SSHTestSupport.sh(["sh", "-c", "head -c 104857600 /dev/urandom > \(local)"])
            }
            let remote = node.home + "/medium.bin"
            let killed = Mutex<[Int32]>([])
            let ssh = try await SSHConnection.connect(SSHTestSupport.target(sandbox, node))
            let error = await #expect(throws: SSHError.self) {
                try await ssh.upload(localPath: local, remotePath: remote) { progress in
                    guard progress.bytesSent >= 20 << 20 else { return }
                    killed.withLock { pids in
                        guard pids.isEmpty else { return }
                        // Kill this connection's sshd processes (monitor, session, sftp-server); the listener stays.
                        pids = SSHTestSupport.descendants(of: listener)
                        for pid in pids { kill(pid, SIGKILL) }
                    }
                }
            }
            await ssh.close()
            #expect(!killed.withLock { $0 }.isEmpty)
            #expect(error?.code == .connectionLost)
            #expect(!FileManager.default.fileExists(atPath: remote))
            #expect(ProcessProbe.isRunning(listener))
            let stray = try FileManager.default.contentsOfDirectory(atPath: node.home).filter { $0.hasSuffix(".tmp") }
            #expect(stray.count == 1 && stray[0].hasPrefix(".medium.bin.fleet-"), "\(stray)")
            for decoy in ["keep.fleet-x.tmp", ".medium.bin.fleetX.tmp"] {
                #expect(FileManager.default.createFile(atPath: node.home + "/" + decoy, contents: Data()))
            }
            _ = try await withSSHConnection(SSHTestSupport.target(sandbox, node)) { ssh in
                try await ssh.upload(localPath: local, remotePath: remote, mode: 0o644)
            }
            let same = try await runOffPool {
                try FileDigest.sha256(ofFile: remote) == FileDigest.sha256(ofFile: local)
            }
            #expect(same)
            // The next upload to the same path removed the stray temp file, and nothing else.
            let left = try FileManager.default.contentsOfDirectory(atPath: node.home).filter { $0.hasSuffix(".tmp") }
            #expect(left.sorted() == [".medium.bin.fleetX.tmp", "keep.fleet-x.tmp"])
        }
    }
}
