import FleetTestSupport
import Foundation
import Testing

/// What `sandbox.py up` refuses before it starts anything.
@Suite("Sandbox limits", .tags(.processes))
struct SandboxLimitsTests {
    @Test("more nodes than one 127.x.y.0/24 block holds are refused at once, naming the limit")
    func tooManyNodes() async throws {
        try await withTemporaryDirectory("fleet-sandbox") { folder in
            let result = try await ProcessRunner.runAsync([
                "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "up", "--dir", folder, "--nodes", "255",
            ])
            #expect(result.exitCode == 1)
            #expect(
                result.errorOutput == "sandbox: --nodes 255: a sandbox has 1 to 254 nodes (one 127.x.y.0/24 block)\n",
                "\(result.errorOutput)"
            )
            #expect(!FileManager.default.fileExists(atPath: folder + "/sandbox.json"), "nothing was started")
        }
    }
}
