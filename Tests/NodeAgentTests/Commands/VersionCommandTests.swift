import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("version", .tags(.processes), .timeLimit(.minutes(1)))
struct VersionCommandTests {
    /// Upstream TestVersionCommand_Error.
    @Test("TestVersionCommand_Error: without the environment the error names DAEMON_NAME")
    func versionError() async throws {
        let result = try await AgentCLI.run(["version"])
        #expect(result.exitCode == 1)
        #expect(result.errorOutput.contains("DAEMON_NAME is not set"))
        #expect(result.errorOutput.hasPrefix("cosmovisor version: \(FleetVersion.current)\n"))
    }

    static func home(_ dir: String, app: String) throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
        try AgentCLI.script(dir + "/home/cosmovisor/genesis/bin/appd", app)
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/home/cosmovisor/current",
            withDestinationPath: "genesis"
        )
        return ["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd"]
    }

    @Test("text: our line on stderr, then the current binary's version with the extra arguments")
    func text() async throws {
        try await withTemporaryDirectory { dir in
            let environment = try Self.home(dir, app: #"echo "app $*""#)
            let result = try await AgentCLI.run(["version", "--", "--long"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(result.output == "app version --long\n")
            #expect(result.errorOutput == "cosmovisor version: \(FleetVersion.current)\n")
        }
    }

    @Test("a failing app version is wrapped")
    func failing() async throws {
        try await withTemporaryDirectory { dir in
            let environment = try Self.home(dir, app: "exit 3")
            let result = try await AgentCLI.run(["version"], environment: environment)
            #expect(result.exitCode == 1)
            #expect(result.errorOutput.hasSuffix("Error: failed to run version command: exit status 3\n"))
        }
    }

    @Test("--cosmovisor-only needs no configuration")
    func cosmovisorOnly() async throws {
        let text = try await AgentCLI.run(["version", "--cosmovisor-only"])
        #expect(text.exitCode == 0)
        #expect(text.errorOutput == "cosmovisor version: \(FleetVersion.current)\n")
        let json = try await AgentCLI.run(["version", "--cosmovisor-only", "--output", "json"])
        #expect(json.errorOutput == #"{"cosmovisor_version":"\#(FleetVersion.current)"}"# + "\n")
    }

    @Test("--output json embeds the app's JSON even with logs on, and refuses non-JSON")
    func json() async throws {
        try await withTemporaryDirectory { dir in
            var environment = try Self.home(dir, app: #"echo '{"name":"appd","version":"1.2.3"}'; echo noise >&2"#)
            let result = try await AgentCLI.run(["version", "-o", "json"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                result.errorOutput
                    == #"{"cosmovisor_version":"\#(FleetVersion.current)","app_version":{"name":"appd","version":"1.2.3"}}"#
                    + "\n"
            )
            environment = try Self.home(dir + "/b", app: "echo not json")
            let bad = try await AgentCLI.run(["version", "--output", "json"], environment: environment)
            #expect(bad.exitCode == 1)
            #expect(
                bad.errorOutput == "Error: can't print version output, expected valid json from APP, got: not json\n"
            )
        }
    }

    @Test("--output json is not held by grandchildren that keep the app's stdout open, in its group or not")
    func grandchildHoldingStdout() async throws {
        try await withTemporaryDirectory { dir in
            // One sleeper stays in the app's process group, one leaves it with setsid; both hold stdout.
            // The second closes every other descriptor it inherited, so it holds nothing but the app's stdout
            // (not, say, a test harness's process-exit socket that leaked into the agent).
            let app = """
                sleep 600 &
                echo $! > \(dir)/sleepers
                setsid /usr/bin/python3 -c 'import os, time; os.closerange(3, 65536); time.sleep(600)' &
                echo $! >> \(dir)/sleepers
                echo '{"version":"1.2.3"}'
                """
            let environment = try Self.home(dir, app: app)
            defer {
                let pids = (try? String(contentsOfFile: dir + "/sleepers", encoding: .utf8)) ?? ""
                for pid in pids.split(whereSeparator: \.isNewline).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            let result = try await AgentCLI.run(["version", "--output", "json"], environment: environment)
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                result.errorOutput
                    == #"{"cosmovisor_version":"\#(FleetVersion.current)","app_version":{"version":"1.2.3"}}"# + "\n"
            )
        }
    }
}
