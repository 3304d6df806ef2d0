import FleetTestSupport
import Foundation
import Testing

/// Every `fleet` command README.md shows works as written, against a sandbox fleet.
@Suite("README commands", .tags(.sshd), .timeLimit(.minutes(2)))
struct ReadmeCommandsTests {
    /// The `fleet` command lines in README.md's `sh` blocks, comments dropped, split into words.
    static func fleetCommands() throws -> [[String]] {
        let readme = try String(contentsOfFile: TestPaths.repositoryRoot + "/README.md", encoding: .utf8)
        var inBlock = false
        var commands: [[String]] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = line == "```sh" && !inBlock
                continue
            }
            guard inBlock else { continue }
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let words = code.split(separator: " ").map(String.init)
            if let first = words.first, first == "fleet" || first.hasSuffix("/fleet") { commands.append(words) }
        }
        return commands
    }

    @Test("each fleet command in README.md exits 0 on a sandbox: options where fleet accepts them")
    func fleetCommandsWork() async throws {
        let commands = try Self.fleetCommands()
        #expect(commands.count >= 5, "README shows \(commands.count) fleet commands")
        try await withSandbox(.init(nodes: 2, noChain: true)) { sandbox in
            try await withTemporaryDirectory { dir in
                // "On your own fleet": inventory.ini in the working directory, keys in ~/.ssh/known_hosts.
                let fm = FileManager.default
                try fm.createDirectory(atPath: dir + "/home/.ssh", withIntermediateDirectories: true)
                try fm.copyItem(atPath: sandbox.knownHosts, toPath: dir + "/home/.ssh/known_hosts")
                try fm.copyItem(atPath: sandbox.inventory, toPath: dir + "/inventory.ini")
                for words in commands {
                    // The sandbox walk-through uses /tmp/fleet-sbx; this sandbox lives elsewhere.
                    let arguments = words.dropFirst().map {
                        $0.replacingOccurrences(of: "/tmp/fleet-sbx", with: sandbox.root)
                    }
                    let result = try await ProcessRunner.runAsync(
                        [TestPaths.product("fleet")] + arguments,
                        environment: ["HOME": dir + "/home", "NO_COLOR": "1"],
                        directory: dir
                    )
                    #expect(result.exitCode == 0, "\(words.joined(separator: " ")): \(result.errorOutput)")
                }
            }
        }
    }
}
