import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The unit steps of `fleet install-agent` run by a real shell with the real `node-agent`, the unit
/// directory pointed at a temporary folder (the test machine's systemd is left alone).
@Suite(.tags(.processes)) struct InstallScriptShellTests {
    static func target(_ directory: String) throws -> InstallTarget {
        var target = try InstallTarget(
            host: InventoryHost(
                name: "n1",
                vars: [
                    "daemon_home": directory + "/home", "daemon_name": "gaiad",
                    "agent_path": TestPaths.product("node-agent"), "agent_service": "gaia-agent",
                    "node_rpc": "http://127.0.0.1:36657", "agent_env": "UNSAFE_SKIP_BACKUP=true",
                ]))
        target.unitDirectory = directory + "/units"
        return target
    }

    static func sh(_ script: String, input: Data? = nil) async throws -> CommandResult {
        try await ProcessRunner.runAsync(["/bin/sh", "-c", script], input: input ?? Data())
    }

    @Test func theUnitIsTheAgentsOwnWrittenOnceAndADifferentOneIsReplacedOnlyWithForce() async throws {
        try await withTemporaryDirectory("fleet-install-unit") { directory in
            let fm = FileManager.default
            // systemd-unit runs once the cosmovisor tree exists (after init when there was none).
            try fm.createDirectory(atPath: directory + "/home/cosmovisor", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: directory + "/units", withIntermediateDirectories: true)
            let target = try Self.target(directory)

            let unit = try await Self.sh(InstallScript.unitText(target))
            #expect(unit.exitCode == 0, "\(unit.errorOutput)")
            let text = unit.output
            #expect(
                text.contains("ExecStart=\(TestPaths.product("node-agent")) run start --home \(directory)/home\n"),
                "\(text)")
            #expect(text.contains("Type=notify"))
            for setting in [
                "DAEMON_HOME=\(directory)/home", "DAEMON_NAME=gaiad", "NODE_AGENT_RPC=http://127.0.0.1:36657",
                "UNSAFE_SKIP_BACKUP=true",
            ] {
                #expect(text.contains(setting), "\(setting) missing from\n\(text)")
            }

            let write = InstallScript.writeUnit(target, sudo: false, force: false)
            let first = try await Self.sh(write, input: unit.stdout)
            #expect(first.output == "written\n", "\(first.output)\(first.errorOutput)")
            #expect(fm.contents(atPath: target.unitPath) == unit.stdout)
            let mode = try #require(try fm.attributesOfItem(atPath: target.unitPath)[.posixPermissions] as? Int)
            #expect(mode == 0o644)
            let inode = try fm.attributesOfItem(atPath: target.unitPath)[.systemFileNumber] as? Int

            let again = try await Self.sh(write, input: unit.stdout)
            #expect(again.output == "unchanged\n")
            #expect(try fm.attributesOfItem(atPath: target.unitPath)[.systemFileNumber] as? Int == inode)

            let other = Data("[Unit]\nDescription=someone else's\n".utf8)
            let refused = try await Self.sh(write, input: other)
            #expect(refused.output == "differs\n")
            #expect(fm.contents(atPath: target.unitPath) == unit.stdout)

            let forced = try await Self.sh(InstallScript.writeUnit(target, sudo: false, force: true), input: other)
            #expect(forced.output == "written\n")
            #expect(fm.contents(atPath: target.unitPath) == other)
            #expect(try fm.contentsOfDirectory(atPath: directory + "/units") == ["gaia-agent.service"])
        }
    }

    @Test func withSudoTheUnitIsWrittenThroughSudoN() async throws {
        try await withTemporaryDirectory("fleet-install-unit-sudo") { directory in
            let fm = FileManager.default
            try fm.createDirectory(atPath: directory + "/units", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
            // A sudo stand-in first on PATH: records its words, then runs the command.
            let log = directory + "/sudo.log"
            let sudo = "#!/bin/sh\necho \"$*\" >> \(ShellQuote.quote(log))\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n"
            try sudo.write(toFile: directory + "/bin/sudo", atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/bin/sudo")
            let target = try Self.target(directory)
            let unit = Data("[Unit]\nDescription=the agent\n".utf8)
            let written = try await ProcessRunner.runAsync(
                ["/bin/sh", "-c", InstallScript.writeUnit(target, sudo: true, force: false)],
                environment: ["PATH": directory + "/bin:/usr/bin:/bin"], input: unit)
            #expect(written.output == "written\n", "\(written.output)\(written.errorOutput)")
            #expect(written.errorOutput == "")
            #expect(fm.contents(atPath: target.unitPath) == unit)
            let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(calls.count == 2, "\(calls)")
            #expect(calls.first?.hasPrefix("-n install -m 0644 ") == true, "\(calls)")
            #expect(calls.last == "-n mv -f \(target.unitPath).fleet-new \(target.unitPath)", "\(calls)")
        }
    }
}
