import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The probe command run by a real /bin/sh against a real node home (the same script goes over SSH).
@Suite("Node probe", .tags(.processes), .timeLimit(.minutes(1)))
struct NodeProbeTests {
    /// A home with genesis v1, upgrades/v2 (executable), upgrades/v3 (not executable), current → upgrades/v2.
    static func makeHome(in dir: String) async throws -> (home: String, releases: String) {
        let releases = dir + "/releases"
        let built = try await ProcessRunner.runAsync([
            "/usr/bin/python3", TestPaths.scripts + "/sandbox.py", "build-versions", "--out", releases,
        ])
        try #require(built.exitCode == 0, "\(built.errorOutput)")
        let home = dir + "/node home"
        let fm = FileManager.default
        for (name, version) in [("genesis", "v1"), ("upgrades/v2", "v2"), ("upgrades/v3", "v3")] {
            try fm.createDirectory(atPath: "\(home)/cosmovisor/\(name)/bin", withIntermediateDirectories: true)
            try fm.copyItem(
                atPath: "\(releases)/\(version)/mockchaind", toPath: "\(home)/cosmovisor/\(name)/bin/mockchaind")
        }
        chmod("\(home)/cosmovisor/upgrades/v3/bin/mockchaind", 0o644)
        try fm.createSymbolicLink(atPath: home + "/cosmovisor/current", withDestinationPath: "upgrades/v2")
        let initialised = try await ProcessRunner.runAsync(["\(releases)/v1/mockchaind", "init", "n1", "--home", home])
        try #require(initialised.exitCode == 0)
        return (home, releases)
    }

    static func probe(
        _ target: NodeProbe.Target,
        cache: String = "/dev/null/no-cache",
        cacheMinimumAge: Int = 2,
        bash: [String] = NodeProbe.bashPaths,
        path: String? = nil
    ) async throws -> (NodeStatus, HostObservation.Source) {
        var environment = ["XDG_CACHE_HOME": cache]
        if let path { environment["PATH"] = path }
        let result = try await ProcessRunner.runAsync(
            ["/bin/sh", "-c", NodeProbe.command(for: target, cacheMinimumAge: cacheMinimumAge, bash: bash)],
            environment: environment
        )
        return try NodeProbe.parse(
            stdout: result.stdout, exitStatus: result.exitCode, target: target, collectedAt: "now")
    }

    @Test("without an agent, the probes report current, every binary, the pending plan, the key and the chain")
    func probeFallback() async throws {
        try await withTemporaryDirectory { dir in
            let (home, releases) = try await Self.makeHome(in: dir)
            try #"{"name":"V3","time":"0001-01-01T00:00:00Z","height":50}"#
                .write(toFile: home + "/data/upgrade-info.json", atomically: true, encoding: .utf8)
            try await Self.withNode(home: home, releases: releases, dir: dir) { rpc in
                let target = NodeProbe.Target(
                    daemonHome: home, daemonName: "mockchaind", nodeRPC: rpc, agentPath: dir + "/no-agent-here"
                )
                let (status, source) = try await Self.probe(target)
                #expect(source == .probe)
                #expect(status.current.target == "upgrades/v2")
                #expect(status.current.upgrade == "v2")
                #expect(status.current.version == "v2")
                #expect(status.binaries.map(\.name) == ["genesis", "v2", "v3"])
                #expect(status.binaries.map(\.executable) == [true, true, false])
                let sha = try ProcessRunner.run(["sha256sum", releases + "/v3/mockchaind"]).output.prefix(64)
                #expect(status.binaries[2].sha256 == String(sha))
                #expect(status.pendingPlan == .init(name: "V3", height: 50, info: nil, binaryStaged: true))
                let key = try String(contentsOfFile: home + "/config/priv_validator_key.json", encoding: .utf8)
                #expect(status.consensus.address.map { key.contains($0) } == true)
                #expect((status.chain?.height ?? 0) > 0)
                #expect(status.chain?.catchingUp == false)
                #expect((status.disk?.freeBytes ?? 0) > 0)
            }
        }
    }

    /// Runs mockchaind v2 on `home` with its RPC on a free loopback port until `body` returns.
    static func withNode(
        home: String, releases: String, dir: String, _ body: (_ rpc: String) async throws -> Void
    ) async throws {
        let port = try TestPorts.free()
        let arguments = ["start", "--home", home, "--rpc-laddr", "127.0.0.1:\(port)", "--block-interval", "20ms"]
        let log = dir + "/mockchaind.log"
        try await BackgroundProcess.with(releases + "/v2/mockchaind", arguments, log: log) { node in
            try await waitUntil("mockchaind to commit a block on port \(port)", timeout: .seconds(45)) {
                guard node.isRunning else {
                    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw SandboxError(message: "mockchaind exited (\(node.terminationStatus)): \(output)")
                }
                return ((try? await MockchainStatus.fetch("http://127.0.0.1:\(port)"))?.height ?? 0) > 0
            }
            try await body("http://127.0.0.1:\(port)")
        }
    }

    @Test("POSIX sh and bash read the same node: binaries, current, plan, signer, disk and the chain")
    func posixAndBashAgree() async throws {
        try await withTemporaryDirectory { dir in
            let (home, releases) = try await Self.makeHome(in: dir)
            try #"{"name":"V3","time":"0001-01-01T00:00:00Z","height":50}"#
                .write(toFile: home + "/data/upgrade-info.json", atomically: true, encoding: .utf8)
            try "moniker = \"n1\"\npriv_validator_laddr = \"tcp://10.0.0.5:26659\"\n"
                .write(toFile: home + "/config/config.toml", atomically: true, encoding: .utf8)
            try await Self.withNode(home: home, releases: releases, dir: dir) { rpc in
                let target = NodeProbe.Target(
                    daemonHome: home, daemonName: "mockchaind", nodeRPC: rpc, agentPath: dir + "/no-agent-here")
                let (viaBash, _) = try await Self.probe(target)
                let (viaSh, source) = try await Self.probe(target, bash: [])
                #expect(source == .probe)
                #expect(viaSh.binaries == viaBash.binaries)
                #expect(viaSh.binaries.map(\.version) == ["v1", "v2", nil])
                #expect(viaSh.current == viaBash.current)
                #expect(viaSh.pendingPlan == viaBash.pendingPlan)
                #expect(viaSh.pendingPlan?.name == "V3")
                #expect(viaSh.consensus == viaBash.consensus)
                #expect(viaSh.consensus.remoteSigner == "tcp://10.0.0.5:26659")
                #expect(viaSh.disk?.totalBytes == viaBash.disk?.totalBytes)
                #expect((viaSh.chain?.height ?? 0) > 0 && (viaBash.chain?.height ?? 0) > 0)
                #expect(viaSh.chain?.network == viaBash.chain?.network)
                #expect(viaSh.collectedAt.hasSuffix("Z") && viaBash.collectedAt.hasSuffix("Z"))
            }
        }
    }

    @Test("under bash a loopback RPC is read without curl; POSIX sh without curl or wget says so")
    func bashNeedsNoCurl() async throws {
        try await withTemporaryDirectory { dir in
            let (home, releases) = try await Self.makeHome(in: dir)
            // A PATH with the tools the probe forks, and neither curl nor wget.
            let tools = dir + "/tools"
            try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
            for tool in [
                "readlink", "stat", "df", "sed", "base64", "tr", "date", "mkdir", "mv", "sha256sum", "cut",
                "timeout", "head",
            ] {
                let found = try await ProcessRunner.runAsync(["/bin/sh", "-c", "command -v \(tool)"])
                let location = found.output.trimmingCharacters(in: .whitespacesAndNewlines)
                try #require(found.exitCode == 0, "\(tool) is not installed")
                try FileManager.default.createSymbolicLink(atPath: tools + "/" + tool, withDestinationPath: location)
            }
            try await Self.withNode(home: home, releases: releases, dir: dir) { rpc in
                let target = NodeProbe.Target(
                    daemonHome: home, daemonName: "mockchaind", nodeRPC: rpc, agentPath: dir + "/no-agent-here")
                let (viaBash, _) = try await Self.probe(target, path: tools)
                #expect((viaBash.chain?.height ?? 0) > 0, "\(String(describing: viaBash.chain))")
                #expect(viaBash.binaries.map(\.version) == ["v1", "v2", nil])
                let (viaSh, _) = try await Self.probe(target, bash: [], path: tools)
                #expect(viaSh.chain?.height == nil)
                #expect(viaSh.chain?.error == "no curl or wget on the node")
            }
        }
    }

    @Test("a remote signer is reported instead of a key address; a dead RPC is an error, not a height")
    func remoteSignerAndDeadRPC() async throws {
        try await withTemporaryDirectory { dir in
            let (home, _) = try await Self.makeHome(in: dir)
            try "priv_validator_laddr = \"tcp://10.0.0.5:26659\"\n"
                .write(toFile: home + "/config/config.toml", atomically: true, encoding: .utf8)
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil)
            let (status, _) = try await Self.probe(target)
            #expect(status.consensus.address == nil)
            #expect(status.consensus.remoteSigner == "tcp://10.0.0.5:26659")
            #expect(status.chain?.height == nil)
            #expect(status.chain?.error != nil)
            #expect(status.pendingPlan == nil)
        }
    }

    @Test("the hash and version cache gives the same answers and never hides a changed binary")
    func cache() async throws {
        try await withTemporaryDirectory { dir in
            let (home, releases) = try await Self.makeHome(in: dir)
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil)
            let cache = dir + "/cache"
            let (uncached, _) = try await Self.probe(target)
            // A zero window caches the fixture's files at once (the default keeps files changed in the last 2 s out).
            let (first, _) = try await Self.probe(target, cache: cache, cacheMinimumAge: 0)
            let entries = try FileManager.default.contentsOfDirectory(atPath: cache + "/fleet-probe")
            #expect(entries.count == 3, "one entry per binary: \(entries)")
            let (second, _) = try await Self.probe(target, cache: cache, cacheMinimumAge: 0)
            #expect(first.binaries == uncached.binaries)
            #expect(second.binaries == uncached.binaries)

            // Same inode, new bytes (cp writes in place): the probe must see v3, not the cached v2.
            let v2 = home + "/cosmovisor/upgrades/v2/bin/mockchaind"
            #expect(try await ProcessRunner.runAsync(["cp", releases + "/v3/mockchaind", v2]).exitCode == 0)
            let (changed, _) = try await Self.probe(target, cache: cache, cacheMinimumAge: 0)
            let v3sha = try await ProcessRunner.runAsync(["sha256sum", releases + "/v3/mockchaind"]).output.prefix(64)
            #expect(changed.binaries[1].sha256 == String(v3sha))
            #expect(changed.binaries[1].version == "v3")
        }
    }

    @Test(
        "current as written by every cosmovisor: relative, absolute (≤ 1.6), with .. parts",
        arguments: ["upgrades/v2", "ABSOLUTE", "../cosmovisor/upgrades/v2", "./upgrades/../upgrades/v2"]
    )
    func currentLinkForms(target: String) async throws {
        try await withTemporaryDirectory { dir in
            let (home, _) = try await Self.makeHome(in: dir)
            let written = target == "ABSOLUTE" ? home + "/cosmovisor/upgrades/v2" : target
            try FileManager.default.removeItem(atPath: home + "/cosmovisor/current")
            let link = home + "/cosmovisor/current"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: written)
            let probeTarget = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil
            )
            let (status, _) = try await Self.probe(probeTarget)
            #expect(status.current.target == written)
            #expect(status.current.upgrade == "v2")
            #expect(status.current.version == "v2")
            #expect(status.current.error == nil)
        }
    }

    @Test(
        "a dangling current, one to a file, one outside the layout or a non-link is an error, never genesis",
        arguments: [
            ("upgrades/v9", "which does not exist"), ("upgrades/v3/bin/mockchaind", "outside"),
            ("upgrades/file", "which is not a directory"), ("../../elsewhere/upgrades/v2", "outside"),
            ("NOT-A-LINK", "is not a symbolic link"),
        ]
    )
    func unusableCurrent(target: String, message: String) async throws {
        try await withTemporaryDirectory { dir in
            let (home, _) = try await Self.makeHome(in: dir)
            let link = home + "/cosmovisor/current"
            try FileManager.default.removeItem(atPath: link)
            try Data().write(to: URL(fileURLWithPath: home + "/cosmovisor/upgrades/file"))
            if target == "NOT-A-LINK" {
                try FileManager.default.createDirectory(atPath: link, withIntermediateDirectories: false)
            } else {
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            }
            let probeTarget = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil
            )
            let (status, _) = try await Self.probe(probeTarget)
            let error = try #require(status.current.error)
            #expect(error.contains(message), "\(error)")
            #expect(error.contains("\"\(link)\""))
            if target != "NOT-A-LINK" { #expect(error.contains(target)) }
            #expect(status.current.version == nil && status.current.sha256 == nil && status.current.upgrade == nil)
        }
    }

    @Test("an applied plan whose name has upper case is not pending (the record holds the recased name)")
    func appliedMixedCasePlan() async throws {
        try await withTemporaryDirectory { dir in
            let (home, _) = try await Self.makeHome(in: dir)
            let fm = FileManager.default
            try fm.moveItem(atPath: home + "/cosmovisor/upgrades/v2", toPath: home + "/cosmovisor/upgrades/v9-lambda")
            try fm.removeItem(atPath: home + "/cosmovisor/current")
            try fm.createSymbolicLink(atPath: home + "/cosmovisor/current", withDestinationPath: "upgrades/v9-lambda")
            try #"{"name":"v9-Lambda","time":"0001-01-01T00:00:00Z","height":900}"#
                .write(toFile: home + "/data/upgrade-info.json", atomically: true, encoding: .utf8)
            try #"{"name":"v9-lambda","time":"0001-01-01T00:00:00Z","height":900}"#
                .write(
                    toFile: home + "/cosmovisor/upgrades/v9-lambda/upgrade-info.json", atomically: true, encoding: .utf8
                )
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "mockchaind", nodeRPC: "http://127.0.0.1:1", agentPath: nil
            )
            let (status, _) = try await Self.probe(target)
            #expect(status.current.upgrade == "v9-lambda")
            #expect(status.pendingPlan == nil)
        }
    }

    @Test("values with quotes, spaces and $() are passed to the node as data, never run")
    func hostileHome() async throws {
        try await withTemporaryDirectory { dir in
            let marker = dir + "/pwned"
            let home = dir + "/h'; touch \(marker); echo '$(touch \(marker))"
            try FileManager.default.createDirectory(
                atPath: home + "/cosmovisor/genesis/bin", withIntermediateDirectories: true)
            let target = NodeProbe.Target(
                daemonHome: home, daemonName: "d\"$(touch \(marker))", nodeRPC: "http://127.0.0.1:1", agentPath: nil)
            let (status, _) = try await Self.probe(target)
            #expect(!FileManager.default.fileExists(atPath: marker))
            #expect(status.binaries.map(\.name) == ["genesis"])
            #expect(status.binaries.first?.path == nil)
        }
    }
}
