import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The preflight's one remote command, run by a real `sh` against a stand-in `node-agent` script, and
/// its output read back.
@Suite("Preflight probe", .tags(.processes), .timeLimit(.minutes(1)))
struct PreflightProbeTests {
    @Test("the status document, the backup estimate and the RPC samples come back apart from one exec")
    func statusEstimateAndSamples() async throws {
        try await withTemporaryDirectory("fleet-preflight-probe") { dir in
            let status = NodeStatus(
                collectedAt: "2026-12-01T00:00:00Z", agent: .init(version: "0.1.0", running: true),
                daemonName: "appd", daemonHome: dir + "/home", current: .init(target: "genesis"),
                binaries: [.init(name: "v2", path: "/x", sha256: "ab", version: "v2", executable: true, size: 1)])
            try NodeStatus.encoder.encode(status).write(to: URL(fileURLWithPath: dir + "/status.json"))
            let estimate = BackupEstimate(
                backupDir: dir + "/home", skipBackup: false, method: "hardlink", bytesNeeded: 5, copiedBytes: 1,
                sharedBytes: 2, files: 3, freeBytes: 9)
            try estimate.encoded().write(to: URL(fileURLWithPath: dir + "/estimate.json"))
            // The RPC: a plain file served as a file:// URL, so curl answers without a server.
            let rpc = dir + "/rpc"
            try FileManager.default.createDirectory(atPath: rpc, withIntermediateDirectories: true)
            try Data(#"{"result":{"sync_info":{"latest_block_height":"42","catching_up":false}}}"#.utf8)
                .write(to: URL(fileURLWithPath: rpc + "/status"))
            let script = """
                #!/bin/sh
                case "$1" in
                  status) cat \(ShellQuote.quote(dir + "/status.json")) ;;
                  backups) [ "$2 $3 $DAEMON_NAME" = "--estimate --json appd" ] && cat \(ShellQuote.quote(dir + "/estimate.json")) ;;
                esac

                """
            try Data(script.utf8).write(to: URL(fileURLWithPath: dir + "/node-agent"))
            chmod(dir + "/node-agent", 0o755)
            let target = NodeProbe.Target(
                daemonHome: dir + "/home", daemonName: "appd", nodeRPC: "file://" + rpc, agentPath: dir + "/node-agent")
            let result = try await ProcessRunner.runAsync(["/bin/sh", "-c", PreflightProbe.command(for: target)])
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            let reading = try PreflightProbe.parse(
                stdout: result.stdout, exitStatus: result.exitCode, host: "a", role: "validator", target: target,
                collectedAt: "now")
            #expect(reading.observation.source == .agent)
            #expect(reading.observation.status == status)
            #expect(reading.estimate == estimate)
            #expect(reading.estimateError == nil)
            #expect(reading.samples.map(\.height) == [42, 42])
            #expect(reading.samples.allSatisfy { $0.unixMilliseconds > 1_700_000_000_000 })
        }
    }
}
