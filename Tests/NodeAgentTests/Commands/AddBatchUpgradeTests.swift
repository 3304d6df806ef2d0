import FleetCore
import FleetTestSupport
import Foundation
import Testing

@testable import NodeAgent

@Suite("add-batch-upgrade", .tags(.processes), .timeLimit(.minutes(1)))
struct AddBatchUpgradeTests {
    @Test(
        "list parsing",
        arguments: [
            (["v2:/b/v2:10"], [UpgradeBatch.Entry(name: "v2", executable: "/b/v2", height: 10)]),
            (
                ["v2:/b/v2:10,dir/v3:/b/v3:20", "v4:/b/v4:30"],
                [
                    .init(name: "v2", executable: "/b/v2", height: 10),
                    .init(name: "v3", executable: "/b/v3", height: 20),
                    .init(name: "v4", executable: "/b/v4", height: 30),
                ]
            ),
        ] as [([String], [UpgradeBatch.Entry])]
    )
    func list(values: [String], entries: [UpgradeBatch.Entry]) throws {
        #expect(try UpgradeBatch.parse(list: values).entries == entries)
    }

    @Test(
        "list errors",
        arguments: [
            (["v2:/b/v2"], "argument at position 0 (v2:/b/v2) is invalid"),
            (["v2:/b:c:v2:10"], "argument at position 0 (v2:/b:c:v2:10) is invalid"),
            (["v2:/b/v2:10,v3:/b/v3:x"], "upgrade height at position 1 (x) is invalid"),
            (["v2:/b/v2:0"], "upgrade height at position 0 (0) is invalid"),
        ]
    )
    func listErrors(values: [String], message: String) {
        let error = #expect(throws: AgentError.self) { try UpgradeBatch.parse(list: values) }
        #expect(error?.message == message)
    }

    @Test("CSV: headerless, leading spaces trimmed, quotes, empty lines skipped, 3 fields per record")
    func csv() throws {
        let text = "v2, /b/v2, 10\n\n\"v 3\",\"/b/with,comma\",20\r\n"
        #expect(
            try UpgradeBatch.parse(csv: text, path: "f").entries == [
                .init(name: "v2", executable: "/b/v2", height: 10),
                .init(name: "v 3", executable: "/b/with,comma", height: 20),
            ]
        )
        let error = #expect(throws: AgentError.self) {
            try UpgradeBatch.parse(csv: "v2,/b,10\nv3,/c\n", path: "f.csv")
        }
        #expect(error?.message == "error parsing upgrade CSV file f.csv: record on line 2: wrong number of fields")
        let quote = #expect(throws: AgentError.self) { try UpgradeBatch.parse(csv: "\"v2,/b,10\n", path: "f.csv") }
        #expect(quote?.message.hasPrefix("error parsing upgrade CSV file f.csv: parse error") == true)
    }

    @Test("stages every binary, replaces the batch file and schedules every height")
    func batch() async throws {
        try await withTemporaryDirectory { dir in
            let root = dir + "/home/cosmovisor"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/home/data", withIntermediateDirectories: true)
            try AgentCLI.script(dir + "/v2", "echo v2")
            try AgentCLI.script(dir + "/v3", "echo v3")
            try Data("v3, \(dir)/v3, 300\nv2, \(dir)/v2, 200\n".utf8).write(
                to: URL(fileURLWithPath: dir + "/batch.csv")
            )
            let environment = AgentCLI.plainLogs.merging([
                "DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd", "UNSAFE_SKIP_BACKUP": "true",
            ]) { _, new in new }
            try Data("[]".utf8).write(to: URL(fileURLWithPath: dir + "/home/data/upgrade-info.json.batch"))
            let result = try await AgentCLI.run(
                ["add-batch-upgrade", "--upgrade-file", dir + "/batch.csv"],
                environment: environment
            )
            #expect(result.exitCode == 0, "\(result.errorOutput)")
            #expect(
                FileManager.default.contents(atPath: root + "/upgrades/v2/bin/appd")
                    == FileManager.default.contents(atPath: dir + "/v2")
            )
            #expect(
                FileManager.default.contents(atPath: root + "/upgrades/v3/bin/appd")
                    == FileManager.default.contents(atPath: dir + "/v3")
            )
            let batchPath = dir + "/home/data/upgrade-info.json.batch"
            let plans = try UpgradePlan.decodeBatch(try #require(FileManager.default.contents(atPath: batchPath)))
            #expect(plans == [UpgradePlan(name: "v2", height: 200), UpgradePlan(name: "v3", height: 300)])
            #expect(try AgentCLI.mode(batchPath) == 0o600)
            #expect(
                try ManualUpgradeSchedule.read(from: root + "/.node-agent/manual-upgrades.json").upgrades.map(\.height)
                    == [200, 300]
            )
            #expect(!FileManager.default.fileExists(atPath: dir + "/home/data/upgrade-info.json"))

            let again = try await AgentCLI.run(
                ["add-batch-upgrade", "--upgrade-list", "V4:\(dir)/v2:400"],
                environment: environment
            )
            #expect(again.exitCode == 0, "\(again.errorOutput)")
            #expect(
                try UpgradePlan.decodeBatch(FileManager.default.contents(atPath: batchPath) ?? Data()).map(\.name) == [
                    "v4"
                ]
            )
        }
    }

    @Test("flag errors exit 1 like cobra's")
    func flagErrors() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
            let environment = ["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd", "UNSAFE_SKIP_BACKUP": "true"]
            let neither = try await AgentCLI.run(["add-batch-upgrade"], environment: environment)
            #expect(neither.exitCode == 1)
            #expect(neither.errorOutput == "Error: either --upgrade-file or --upgrade-list must be provided\n")
            let both = try await AgentCLI.run(
                ["add-batch-upgrade", "--upgrade-file", "f", "--upgrade-list", "a:b:1"],
                environment: environment
            )
            #expect(both.exitCode == 1)
            #expect(both.errorOutput.contains("[upgrade-file upgrade-list] were all set"))
            let unknown = try await AgentCLI.run(["add-batch-upgrade", "--bogus"], environment: environment)
            #expect(unknown.exitCode == 1)
            #expect(unknown.errorOutput.hasPrefix("Error: Unknown option '--bogus'"))
        }
    }
}
