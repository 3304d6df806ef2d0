import FleetTestSupport
import Foundation
import Testing

/// `fleet inventory check` says which inventory it read and why, through the built binary.
@Suite("fleet inventory check names its source", .tags(.processes))
struct InventoryCheckCommandTests {
    static let hosts = """
        [validators]
        val-1 ansible_host=10.0.0.1 daemon_name=gaiad daemon_home=/home/gaia/.gaia

        """

    static func fleet(
        _ arguments: [String], in dir: String, env: [String: String] = [:]
    ) async throws
        -> CommandResult
    {
        var environment = [
            "HOME": dir + "/home", "NO_COLOR": "1", "FLEET_INVENTORY": "", "ANSIBLE_INVENTORY": "",
            "ANSIBLE_CONFIG": "",
        ]
        environment.merge(env) { _, new in new }
        return try await ProcessRunner.runAsync(
            [TestPaths.product("fleet")] + arguments, environment: environment, directory: dir)
    }

    @Test("ansible.cfg in the working directory, then ANSIBLE_INVENTORY over it, then -i over both")
    func sourceAndReason() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
            try "[defaults]\ninventory = fleet/hosts ; ours\n".write(
                toFile: dir + "/ansible.cfg", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: dir + "/fleet", withIntermediateDirectories: true)
            try Self.hosts.write(toFile: dir + "/fleet/hosts", atomically: true, encoding: .utf8)
            try Self.hosts.write(toFile: dir + "/other.ini", atomically: true, encoding: .utf8)

            let fromConfig = try await Self.fleet(["inventory", "check"], in: dir)
            #expect(fromConfig.exitCode == 0, "\(fromConfig.errorOutput)")
            #expect(
                fromConfig.output.contains("inventory: \(dir)/fleet/hosts (from ansible.cfg at \(dir)/ansible.cfg)"),
                "\(fromConfig.output)")

            let verbose = try await Self.fleet(["-v", "inventory", "check"], in: dir)
            #expect(verbose.errorOutput.contains("inventory: \(dir)/fleet/hosts (from ansible.cfg"), "-v")

            let fromEnvironment = try await Self.fleet(
                ["inventory", "check"], in: dir, env: ["ANSIBLE_INVENTORY": "other.ini"])
            #expect(fromEnvironment.output.contains("inventory: other.ini (from ANSIBLE_INVENTORY)"))

            let fromOption = try await Self.fleet(
                ["-i", "other.ini", "--json", "inventory", "check"], in: dir, env: ["ANSIBLE_INVENTORY": "nope"])
            #expect(fromOption.exitCode == 0, "\(fromOption.errorOutput)")
            let report = try #require(try JSONSerialization.jsonObject(with: fromOption.stdout) as? [String: Any])
            #expect(report["sources"] as? [String] == ["other.ini"])
            #expect(report["origin"] as? String == "-i")
        }
    }
}

/// Help and version still answer with the argument rewrite in front of ArgumentParser.
@Suite("fleet help and version", .tags(.processes))
struct FleetHelpTests {
    @Test("fleet --help, fleet status --help, fleet -i x status --help and fleet --version exit 0")
    func helpAndVersion() async throws {
        let cases: [([String], String)] = [
            (["--help"], "SUBCOMMANDS"),
            (["status", "--help"], "--inventory"),
            (["-i", "x", "status", "--help"], "--timeout"),
            (["help", "exec"], "--parallel"),
            (["--version"], "."),
        ]
        for (arguments, expected) in cases {
            let result = try await ProcessRunner.runAsync([TestPaths.product("fleet")] + arguments)
            #expect(result.exitCode == 0, "\(arguments): \(result.errorOutput)")
            #expect(result.output.contains(expected), "\(arguments): \(result.output)")
        }
    }
}

/// `FLEET_INVENTORY_TIMEOUT` bounds a dynamic inventory, through the built binary.
@Suite("fleet with a slow dynamic inventory", .tags(.processes), .timeLimit(.minutes(1)))
struct DynamicInventoryTimeoutTests {
    @Test("a script past FLEET_INVENTORY_TIMEOUT is an inventory error (exit 2) naming it; a bad value is refused")
    func timeout() async throws {
        try await withTemporaryDirectory { dir in
            let script = dir + "/slow.sh"
            let fd = open(script, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
            let bytes = Array("#!/bin/sh\nsleep 600\n".utf8)
            #expect(write(fd, bytes, bytes.count) == bytes.count)
            close(fd)
            let slow = try await InventoryCheckCommandTests.fleet(
                ["-i", script, "inventory", "list"], in: dir, env: ["FLEET_INVENTORY_TIMEOUT": "300ms"])
            #expect(slow.exitCode == 2)
            #expect(slow.errorOutput.contains("`\(script) --list` did not finish within 300ms"), "\(slow.errorOutput)")
            let bad = try await InventoryCheckCommandTests.fleet(
                ["-i", script, "inventory", "list"], in: dir, env: ["FLEET_INVENTORY_TIMEOUT": "soon"])
            #expect(bad.exitCode == 2)
            #expect(bad.errorOutput.contains("FLEET_INVENTORY_TIMEOUT=soon"), "\(bad.errorOutput)")
        }
    }
}
