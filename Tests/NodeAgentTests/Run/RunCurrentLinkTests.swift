import FleetCore
import FleetTestSupport
import Dispatch
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// Our versions of upgrade_test.go's TestCurrentBin and TestCurrentAlwaysSymlinkToDirectory, plus the
/// atomic switch (deliberate fix 1) and upgrade-info parsing (scanner_test.go, fixes 3 and 5).
@Suite(.tags(.files)) struct RunCurrentLinkTests {
    static func steps(_ h: AgentHarness) -> UpgradeSteps {
        var configuration = AgentConfiguration(home: h.home, name: h.daemon)
        configuration.skipBackup = true
        return UpgradeSteps(configuration: configuration)
    }

    static func plan(_ name: String) -> RunPlan { RunPlan(rawName: name, name: name, height: 10, info: nil) }

    @Test func currentBin() throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.live("Genesis"))
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        try h.installBinary("upgrades/chain3", script: RunFixtures.live("Chain 3 finally!"))
        try FileManager.default.createDirectory(
            atPath: h.root + "/upgrades/nobin/bin",
            withIntermediateDirectories: true
        )
        _ = try CurrentLink.resolveOrCreateGenesis(CosmovisorLayout(home: h.home, daemonName: h.daemon))
        #expect(h.currentTarget == "genesis")
        let steps = Self.steps(h)
        #expect(throws: AgentError.self) { try steps.switchBinary(Self.plan("missing")) }
        #expect(throws: AgentError.self) { try steps.switchBinary(Self.plan("nobin")) }
        #expect(h.currentTarget == "genesis")
        for name in ["chain2", "chain3", "chain2", "chain3", "chain2"] {
            try steps.switchBinary(Self.plan(name))
            #expect(h.currentTarget == "upgrades/\(name)")
            #expect(steps.appliedUpgrade() == .init(name: name, height: 10))
        }
    }

    @Test func currentAlwaysSymlinkToDirectory() throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("genesis", script: RunFixtures.live("Genesis"))
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("Chain 2 is live!"))
        _ = try CurrentLink.resolveOrCreateGenesis(CosmovisorLayout(home: h.home, daemonName: h.daemon))
        var info = stat()
        #expect(lstat(h.root + "/current", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(AtomicSymlink.target(of: h.root + "/current") == "genesis")
        try Self.steps(h).switchBinary(Self.plan("chain2"))
        #expect(lstat(h.root + "/current", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(AtomicSymlink.target(of: h.root + "/current") == "upgrades/chain2")
        #expect(stat(h.root + "/current", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
    }

    @Test func currentIsNeverMissingDuringSwitches() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installBinary("upgrades/chain2", script: RunFixtures.live("2"))
        try h.installBinary("upgrades/chain3", script: RunFixtures.live("3"))
        try h.installBinary("genesis", script: RunFixtures.live("g"))
        _ = try CurrentLink.resolveOrCreateGenesis(CosmovisorLayout(home: h.home, daemonName: h.daemon))
        let link = h.root + "/current/bin/dummyd"
        let observer = LinkObserver(path: link)
        let thread = Thread { observer.run() }  // a concurrent reader, on its own thread for the whole loop
        thread.start()
        try await eventually("observer running") { observer.counts.checks > 0 }
        let steps = Self.steps(h)
        for index in 0..<300 { try steps.switchBinary(Self.plan(index % 2 == 0 ? "chain2" : "chain3")) }
        let counts = observer.stop()
        #expect(counts.checks > 100)
        #expect(counts.misses == 0)
    }

    @Test(arguments: [
        (#"{"name":"upgrade1","info":"some info","height":123}"#, "upgrade1@123"),
        (#"{"name":"Upgrade2","info":"some info","height":125}"#, "upgrade2@125"),
        (#"{"name":"upgrade1","info":123,"heigh":123}"#, "cannot unmarshal number"),
        (#"{"name":"upgrade1","heigh":"123"}"#, "height must be greater than 0: invalid request"),
        ("", "empty upgrade-info.json in"),
        ("{}", "invalid upgrade-info.json content: name cannot be empty"),
        (#"{"name":"upgrade2"}"#, "height must be greater than 0"),
        (#"{"height":1}"#, "name cannot be empty: invalid request"),
        (#"{"name":"..","height":3}"#, "invalid upgrade-info.json content"),
        (#"{"name":"a/../../x","height":3}"#, "a%2F..%2F..%2Fx@3"),
        (#"{"name":"v2","hei"#, "unexpected end of JSON input"),
    ])
    func parseUpgradeInfo(content: String, expected: String) {
        switch RunPlan.parse(Data(content.utf8), path: "/h/data/upgrade-info.json", disableRecase: false) {
        case .success(let plan):
            let shown =
                plan.name.contains("/")
                ? "\(UpgradeDirectoryNameCheck.directory(plan.name))@\(plan.height)" : plan.description
            #expect(shown == expected)
        case .failure(let problem):
            #expect(problem.description.contains(expected), "\(problem)")
        }
    }
}

/// The directory a (recased) plan name maps to.
enum UpgradeDirectoryNameCheck {
    static func directory(_ name: String) -> String { (try? UpgradeName(name, recase: false).directory) ?? "?" }
}

/// Stats a path in a loop until stopped, counting failures; guarded by `lock`.
final class LinkObserver: @unchecked Sendable {
    private let lock = NSLock()
    private let path: String
    private var stopped = false
    private var state = (checks: 0, misses: 0)
    private let done = DispatchSemaphore(value: 0)

    init(path: String) { self.path = path }

    var counts: (checks: Int, misses: Int) { lock.withLock { state } }

    func run() {
        while !lock.withLock({ stopped }) {
            var info = stat()
            let missed = stat(path, &info) != 0
            lock.withLock {
                state.checks += 1
                if missed { state.misses += 1 }
            }
        }
        done.signal()
    }

    func stop() -> (checks: Int, misses: Int) {
        lock.withLock { stopped = true }
        done.wait()
        return counts
    }
}
