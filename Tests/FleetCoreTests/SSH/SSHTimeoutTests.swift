@testable import FleetCore
import FleetTestSupport
import Foundation
import Synchronization
import Testing

/// Deadlines, cancellation, parallel sessions and MaxStartups retries against real sockets and sshd.
@Suite(.tags(.sshd), .timeLimit(.minutes(2)))
struct SSHTimeoutTests {
    @Test func silentListenerFailsWithinTheConnectDeadline() async throws {
        // A listener whose backlog completes TCP handshakes but never says a word.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        var target = SSHTarget(
            host: "127.0.0.1", port: port, user: "nobody", knownHostsFile: "/dev/null", bannerRetries: 0)
        target.connectTimeout = .milliseconds(1500)
        let started = ContinuousClock.now
        let error = await #expect(throws: SSHError.self) { try await SSHConnection.connect(target) }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .timedOut)
        #expect(error?.operation == "handshake")
        // Not a speed check: the bound only proves our deadline fired, since libssh2 alone would wait its
        // built-in 60 s; it leaves room for a loaded 2-core machine running the whole suite in parallel.
        #expect(elapsed >= .milliseconds(1400) && elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func execDeadlineAndCancellationBreakTheConnection() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let target = SSHTestSupport.target(sandbox, sandbox.nodes[0])
            let ssh = try await SSHConnection.connect(target)
            let started = ContinuousClock.now
            let timedOut = await #expect(throws: SSHError.self) {
                try await ssh.exec("sleep 10", timeout: .milliseconds(500))
            }
            #expect(timedOut?.code == .timedOut)
            // The remote command would take 10 s: ending well before that proves the deadline fired.
            #expect(ContinuousClock.now - started < .seconds(8))
            let after = await #expect(throws: SSHError.self) { try await ssh.exec("true") }
            #expect(after?.code == .connectionLost)
            await ssh.close()

            let fresh = try await SSHConnection.connect(target)
            let marker = "fleet-cancel-\(UInt64.random(in: 0...UInt64.max))"
            let task = Task { try await fresh.exec("sleep 10; : \(marker)") }
            try await waitUntil("the remote command to run") {
                !ProcessProbe.pids(commandLineContaining: marker).isEmpty
            }
            let cancelledAt = ContinuousClock.now
            task.cancel()
            let outcome = await task.result
            #expect(ContinuousClock.now - cancelledAt < .seconds(8))
            var code: SSHError.Code?
            if case .failure(let error) = outcome { code = (error as? SSHError)?.code }
            #expect(code == .cancelled)
            await fresh.close()
        }
    }

    @Test func fiftyConcurrentSessionsToOneSSHD() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let target = SSHTestSupport.target(sandbox, sandbox.nodes[0])
            // Each session sleeps 1 s remotely, so the 50 sessions overlap.
            let results = await forEachHost(Array(0..<50), maxConcurrent: 50) { index -> Result<String, any Error> in
                do {
                    return .success(
                        try await withSSHConnection(target) { ssh in
                            try await ssh.exec("sleep 1; echo \(index)").output
                        })
                } catch {
                    return .failure(error)
                }
            }
            for (index, result) in results {
                #expect((try? result.get()) == "\(index)\n", "\(index): \(result)")
            }
        }
    }

    @Test func bannerDropsPastMaxStartupsAreRetried() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let config = node.dir + "/sshd_config"
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try text.replacing("MaxStartups 200:30:400", with: "MaxStartups 2").write(
                toFile: config, atomically: true, encoding: .utf8)
            let listener = try #require(node.sshdPid)
            let log = node.dir + "/sshd.log"
            let listening = {
                (try? String(contentsOfFile: log, encoding: .utf8))?.components(separatedBy: "Server listening").count
                    ?? 0
            }
            let before = listening()
            kill(listener, SIGHUP)  // sshd re-executes itself with the new config, keeping its PID
            try await waitUntil("sshd to listen again with the new config") { listening() > before }
            var target = SSHTestSupport.target(sandbox, node)
            let attempt: @Sendable (SSHTarget) async -> SSHError? = { target in
                do {
                    try await withSSHConnection(target) { _ = try await $0.exec("true") }
                    return nil
                } catch {
                    return error as? SSHError ?? SSHError(.connect, host: "?", operation: "?", message: "\(error)")
                }
            }
            target.bannerRetries = 0
            let unretried = await forEachHost(Array(repeating: target, count: 24), maxConcurrent: 24, attempt)
            #expect(unretried.contains { $0.1?.code == .banner }, "MaxStartups 2 should drop some of 24 connections")
            // Eight at once through two startup slots: every one is dropped and retried at most a few times,
            // well inside eight retries (~9 s of backoff) even when a loaded machine makes handshakes slow.
            target.bannerRetries = 8
            let retried = await forEachHost(Array(repeating: target, count: 8), maxConcurrent: 8, attempt)
            #expect(retried.allSatisfy { $0.1 == nil }, "\(retried.compactMap(\.1))")
        }
    }

    @Test func nameResolutionIsBoundedByTheDeadlineAndNamesTheHost() async throws {
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        // A resolver that never answers within the test, as a dead DNS server would not.
        let hung: TCPConnector.Lookup = { _, _ in
            _ = release.wait(timeout: .now() + .seconds(120))
            return .failure(TCPConnector.LookupFailure(reason: "released"))
        }
        let outcome = try await runOffPool {
            Result { () throws(SSHError) -> Int32 in
                try TCPConnector.connect(
                    host: "stuck.example", port: 22, deadline: OperationDeadline(after: .milliseconds(300)),
                    lookup: hung)
            }
        }
        guard case .failure(let error) = outcome else { Issue.record("connected through a hung resolver"); return }
        #expect(error.code == .timedOut && error.operation == "resolve")
        #expect(error.message.contains("stuck.example"))

        let unknown = await #expect(throws: SSHError.self) {
            try await SSHConnection.connect(
                SSHTarget(
                    host: "no-such-host.invalid", port: 22, user: "nobody", knownHostsFile: "/dev/null",
                    bannerRetries: 0))
        }
        #expect(unknown?.message.contains("no-such-host.invalid") == true)
    }
}
