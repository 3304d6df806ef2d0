import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The one derivation of current and the pending plan, shared by `node-agent status` and the probe.
@Suite("node facts", .tags(.pure))
struct NodeFactsTests {
    static let layout = CosmovisorLayout(home: "/h", daemonName: "d")

    static func binary(_ name: String, sha: String, path: Bool = true) -> NodeStatus.StagedBinary {
        .init(
            name: name,
            path: path ? "/h/cosmovisor/x/\(name)" : nil,
            sha256: sha,
            version: name,
            executable: true,
            size: 1
        )
    }

    static let binaries = [binary("genesis", sha: "g"), binary("v2", sha: "2"), binary("v9-lambda", sha: "9")]

    static func plan(_ name: String, _ height: Int64) -> Data {
        Data(#"{"name":"\#(name)","time":"0001-01-01T00:00:00Z","height":\#(height)}"#.utf8)
    }

    static func facts(
        _ current: CurrentLinkObservation,
        plan: Data? = nil,
        applied: Data? = nil,
        binaries: [NodeStatus.StagedBinary] = binaries
    ) -> NodeFacts {
        NodeFacts(
            layout: layout,
            current: current,
            binaries: binaries,
            plan: plan,
            appliedRecord: applied,
            disableRecase: false
        )
    }

    @Test("relative and absolute links select the same binary; missing is genesis")
    func current() {
        let relative = Self.facts(.symlink(target: "upgrades/v2", destination: .directory)).current
        #expect(relative == .init(target: "upgrades/v2", upgrade: "v2", sha256: "2", version: "v2"))
        let absolute = Self.facts(.symlink(target: "/h/cosmovisor/upgrades/v2", destination: .directory)).current
        #expect(absolute == .init(target: "/h/cosmovisor/upgrades/v2", upgrade: "v2", sha256: "2", version: "v2"))
        #expect(Self.facts(.missing).current == .init(target: nil, upgrade: nil, sha256: "g", version: "genesis"))
    }

    @Test("a dangling or outside current carries the error and no genesis facts")
    func unusable() {
        let dangling = Self.facts(.symlink(target: "upgrades/v3", destination: .nothing))
        #expect(dangling.selection == nil)
        #expect(dangling.current.sha256 == nil && dangling.current.version == nil && dangling.current.upgrade == nil)
        #expect(dangling.current.error?.contains("\"upgrades/v3\", which does not exist") == true)
        let outside = Self.facts(.symlink(target: "/elsewhere/upgrades/v2", destination: .directory))
        #expect(outside.current.error?.contains("outside") == true)
        #expect(outside.current.sha256 == nil)
    }

    @Test("a plan whose name has upper case is applied once the recased record names it")
    func recasedRecord() {
        let current = CurrentLinkObservation.symlink(target: "upgrades/v9-lambda", destination: .directory)
        let facts = Self.facts(current, plan: Self.plan("v9-Lambda", 900), applied: Self.plan("v9-lambda", 900))
        #expect(facts.pendingPlan == nil)
    }

    @Test("pending: no record, another name at a higher height; staged by the recased directory")
    func pending() {
        let genesis = CurrentLinkObservation.symlink(target: "genesis", destination: .directory)
        #expect(
            Self.facts(genesis, plan: Self.plan("v9-Lambda", 900)).pendingPlan
                == .init(name: "v9-Lambda", height: 900, binaryStaged: true)
        )
        let v2 = CurrentLinkObservation.symlink(target: "upgrades/v2", destination: .directory)
        #expect(
            Self.facts(v2, plan: Self.plan("V3", 950), applied: Self.plan("v2", 500)).pendingPlan
                == .init(name: "V3", height: 950, binaryStaged: false)
        )
        #expect(Self.facts(v2, plan: Self.plan("old", 400), applied: Self.plan("v2", 500)).pendingPlan == nil)
        #expect(Self.facts(genesis, plan: Data("{".utf8)).pendingPlan == nil)
        let unstaged = [Self.binary("genesis", sha: "g"), Self.binary("v9-lambda", sha: "", path: false)]
        #expect(
            Self.facts(genesis, plan: Self.plan("v9-Lambda", 9), binaries: unstaged).pendingPlan?.binaryStaged == false
        )
    }
}
