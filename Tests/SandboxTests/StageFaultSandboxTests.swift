import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `fleet stage` when a node's connections die mid-upload: that node fails alone, cleanly, and a rerun
/// finishes the job.
@Suite("fleet stage faults on a sandbox", .tags(.sshd), .timeLimit(.minutes(4)))
struct StageFaultSandboxTests {
    @Test(
        "one node's sshd connections SIGKILLed mid-upload: exit 1, that node failed with a reason and nothing at its final path, the others staged; a rerun transfers only to it"
    )
    func connectionKilledMidUpload() async throws {
        try await withSandbox(.init(nodes: 8, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage") { dir in
                let file = try await StageSandbox.randomFile(dir, "v2.bin", bytes: 64 << 20)
                let digest = try await StageSandbox.sha256(file)
                let victim = try #require(sandbox.nodes.last)
                let victimTarget = StageSandbox.target(victim)
                async let run = StageSandbox.stage(sandbox, ["v2", file, "--json"])

                // Kill when the victim's temp file is seen growing: the upload is under way.
                var lastSize: UInt64 = 0
                var grew = false
                try await waitUntil("\(victim.name)'s temp file to grow", timeout: .seconds(120)) {
                    let directory = (victimTarget as NSString).deletingLastPathComponent
                    guard let name = StageSandbox.temporaries(beside: victimTarget).first,
                        let size = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size]
                            as? UInt64
                    else { return false }
                    grew = lastSize > 0 && size > lastSize
                    lastSize = size
                    return grew
                }
                let connections = StageSandbox.descendants(of: try #require(victim.sshdPid))
                #expect(!connections.isEmpty)
                for pid in connections { kill(pid, SIGKILL) }

                let result = try await run
                #expect(result.exitCode == 1, "\(result.output)\(result.errorOutput)")
                let hosts = try StageSandbox.hosts(result)
                #expect(hosts[victim.name]?["result"] as? String == "failed")
                let reason = hosts[victim.name]?["error"] as? String ?? ""
                #expect(!reason.isEmpty)
                #expect(!FileManager.default.fileExists(atPath: victimTarget))
                for node in sandbox.nodes.dropLast() {
                    #expect(hosts[node.name]?["result"] as? String == "staged", "\(node.name)")
                    #expect(try await StageSandbox.sha256(StageSandbox.target(node)) == digest)
                }

                let rerun = try await StageSandbox.stage(sandbox, ["v2", file, "--json"])
                #expect(rerun.exitCode == 0, "\(rerun.output)\(rerun.errorOutput)")
                let second = try StageSandbox.hosts(rerun)
                #expect(second[victim.name]?["result"] as? String == "staged")
                #expect(second[victim.name]?["bytes"] as? Int == 64 << 20)
                #expect(second[victim.name]?["removed_temporaries"] as? Int == 1)
                for node in sandbox.nodes.dropLast() {
                    #expect(second[node.name]?["result"] as? String == "already-staged")
                    #expect(second[node.name]?["bytes"] as? Int == 0)
                }
                #expect(try await StageSandbox.sha256(victimTarget) == digest)
                #expect(StageSandbox.temporaries(beside: victimTarget).isEmpty)
            }
        }
    }

    @Test(
        "Ctrl-C mid-upload: exit 130, no final path holds anything but the whole file; the next run cleans up and stages"
    )
    func interruptedMidUpload() async throws {
        try await withSandbox(.init(nodes: 8, noChain: true)) { sandbox in
            try await withTemporaryDirectory("fleet-stage") { dir in
                let file = try await StageSandbox.randomFile(dir, "v2.bin", bytes: 64 << 20)
                let digest = try await StageSandbox.sha256(file)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: TestPaths.product("fleet"))
                process.arguments = [
                    "stage", "v2", file, "-i", sandbox.inventory, "--known-hosts", sandbox.knownHosts,
                ]
                process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
                let errors = dir + "/stderr"
                _ = FileManager.default.createFile(atPath: errors, contents: nil)
                process.standardError = FileHandle(forWritingAtPath: errors)
                try process.run()
                try await waitUntil("an upload to be under way", timeout: .seconds(120)) {
                    sandbox.nodes.contains { !StageSandbox.temporaries(beside: StageSandbox.target($0)).isEmpty }
                }
                process.interrupt()
                try await waitUntil("fleet to exit after SIGINT") { !process.isRunning }
                #expect(process.terminationStatus == 130)
                let said = try String(contentsOfFile: errors, encoding: .utf8)
                #expect(said.contains("interrupted"), "\(said)")
                for node in sandbox.nodes {
                    let target = StageSandbox.target(node)
                    if FileManager.default.fileExists(atPath: target) {
                        #expect(try await StageSandbox.sha256(target) == digest, "\(node.name): partial file")
                    }
                }
                let rerun = try await StageSandbox.stage(sandbox, ["v2", file])
                #expect(rerun.exitCode == 0, "\(rerun.output)\(rerun.errorOutput)")
                for node in sandbox.nodes {
                    #expect(try await StageSandbox.sha256(StageSandbox.target(node)) == digest)
                    #expect(StageSandbox.temporaries(beside: StageSandbox.target(node)).isEmpty)
                }
            }
        }
    }
}
