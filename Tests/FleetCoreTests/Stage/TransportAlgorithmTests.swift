import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The cipher and MAC fleet's sessions offer (they bound how fast `fleet stage` can push): the fastest
/// safe pair libssh2 1.10 has is chosen against a stock OpenSSH, a server restricted to other safe
/// choices still works, and a server offering only CBC is refused.
@Suite(.tags(.sshd), .timeLimit(.minutes(3)))
struct TransportAlgorithmTests {
    @Test func stockOpenSSHGetsAES128CTRWithHMACSHA256() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            let negotiated = try await Self.negotiated(SSHTestSupport.target(sandbox, node))
            #expect(negotiated == "aes128-ctr hmac-sha2-256")
        }
    }

    @Test func aServerRestrictedToOtherSafeAlgorithmsStillConnects() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            try await Self.restrict(node, ["Ciphers aes256-ctr", "MACs hmac-sha2-512"])
            let negotiated = try await Self.negotiated(SSHTestSupport.target(sandbox, node))
            #expect(negotiated == "aes256-ctr hmac-sha2-512")
        }
    }

    @Test func aCBCOnlyServerIsRefusedAndTheHintNamesWhatFleetOffers() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            let node = sandbox.nodes[0]
            try await Self.restrict(node, ["Ciphers aes128-cbc"])
            do {
                _ = try await Self.negotiated(SSHTestSupport.target(sandbox, node))
                Issue.record("a CBC-only server was accepted")
            } catch let error as SSHError {
                #expect(error.code == .handshake)
                #expect(error.hint.contains("aes128-ctr, aes192-ctr, aes256-ctr"), "\(error)")
            }
        }
    }

    /// Connects, runs `true`, and returns the handshake step's detail from the connection's debug log.
    static func negotiated(_ target: SSHTarget) async throws -> String? {
        let details = StepRecorder.Details()
        var logger = Logger(label: "test") { _ in StepRecorder(details: details) }
        logger.logLevel = .debug
        try await withSSHConnection(target, logger: logger) { _ = try await $0.exec("true") }
        return details.byStep.withLock { $0[SSHStep.handshake.rawValue] }
    }

    /// Appends `lines` to the node's sshd_config and waits until sshd listens again with them.
    static func restrict(_ node: Sandbox.Node, _ lines: [String]) async throws {
        let config = node.dir + "/sshd_config"
        // First in the file: sshd keeps the first value it reads for an option.
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try (lines.joined(separator: "\n") + "\n" + text).write(toFile: config, atomically: true, encoding: .utf8)
        let listener = try #require(node.sshdPid)
        let log = node.dir + "/sshd.log"
        let listening = {
            (try? String(contentsOfFile: log, encoding: .utf8))?.components(separatedBy: "Server listening").count ?? 0
        }
        let before = listening()
        kill(listener, SIGHUP)  // sshd re-executes itself with the new config, keeping its PID
        try await waitUntil("sshd to listen again with \(lines)") { listening() > before }
    }
}

/// Keeps the `fleet.detail` of every SSH step logged, by step name.
private struct StepRecorder: LogHandler {
    /// Where the details go, shared by every copy of the handler.
    final class Details: Sendable {
        let byStep = Mutex<[String: String]>([:])
    }

    let details: Details
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let detail = event.metadata?["fleet.detail"] else { return }
        details.byStep.withLock { $0[event.message.description] = "\(detail)" }
    }
}
