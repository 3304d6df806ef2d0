import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The preflight's pure evaluation: readings in, a matrix of verdicts out.
@Suite("Preflight matrix", .tags(.pure))
struct PreflightMatrixTests {
    static let good = String(repeating: "a", count: 64)
    static let other = String(repeating: "b", count: 64)

    /// A node that is ready for `v2` unless told otherwise.
    static func node(
        _ host: String,
        staged: String? = "v2",
        sha: String = good,
        executable: Bool = true,
        version: String? = "v2",
        running: Bool = true,
        restart: String = "true",
        skipBackup: Bool = true,
        estimate: BackupEstimate? = nil,
        height: Int64? = 100,
        catchingUp: Bool = false,
        address: String? = nil,
        samples: [PreflightReading.HeightSample] = [],
        disableRecase: Bool? = nil
    ) -> PreflightReading {
        let binaries =
            [
                NodeStatus.StagedBinary(
                    name: "genesis", path: "/g", sha256: other, version: "v1", executable: true, size: 1)
            ]
            + (staged.map {
                [
                    NodeStatus.StagedBinary(
                        name: $0, path: "/u/\($0)", sha256: sha, version: version, executable: executable, size: 1)
                ]
            } ?? [])
        let status = NodeStatus(
            collectedAt: "2026-12-01T00:00:00Z",
            agent: .init(
                version: "0.1.0", running: running,
                settings: ["daemon_restart_after_upgrade": restart, "unsafe_skip_backup": String(skipBackup)]),
            daemonName: "mockchaind", daemonHome: "/h/\(host)", current: .init(target: "genesis"),
            binaries: binaries, chain: .init(height: height, catchingUp: catchingUp),
            consensus: .init(address: address ?? "ADDR-\(host)"))
        return PreflightReading(
            observation: HostObservation(host: host, role: "validator", status: status, source: .agent),
            estimate: estimate, estimateError: estimate == nil ? "no agent" : nil, samples: samples,
            disableRecase: disableRecase)
    }

    static func estimate(needed: Int64, free: Int64?) -> BackupEstimate {
        BackupEstimate(
            backupDir: "/h", skipBackup: false, method: "hardlink", bytesNeeded: needed, copiedBytes: needed,
            sharedBytes: 0, files: 3, freeBytes: free)
    }

    /// The failing cells as `host:check`.
    static func red(_ matrix: PreflightMatrix) -> [String] {
        matrix.rows.flatMap { row in row.cells.filter { $0.verdict == .fail }.map { "\(row.host):\($0.check.rawValue)" }
        }
    }

    @Test("a ready fleet is all green; optional checks are skipped without their options")
    func green() {
        let matrix = PreflightMatrix([Self.node("a"), Self.node("b")], request: .init(name: "v2"))
        #expect(matrix.isGreen)
        #expect(Self.red(matrix).isEmpty)
        #expect(matrix.rows[0].cell(.version)?.verdict == .skip)
        #expect(matrix.rows[0].cell(.version)?.detail == "v2")
        #expect(matrix.rows[0].cell(.height)?.verdict == .skip)
        #expect(matrix.rows[0].cell(.disk)?.verdict == .skip)
        #expect(matrix.rows[0].cells.map(\.check) == PreflightCheck.allCases)
    }

    @Test(
        "each problem turns exactly its cells red",
        arguments: [
            (
                [node("a"), node("b", staged: nil)], PreflightMatrix.Request(name: "v2"),
                ["b:staged", "b:sha256", "b:executable"]
            ),
            ([node("a"), node("b"), node("c", sha: other)], .init(name: "v2"), ["c:sha256"]),
            ([node("a"), node("b")], .init(name: "v2", sha256: other), ["a:sha256", "b:sha256"]),
            ([node("a"), node("b", executable: false)], .init(name: "v2"), ["b:executable"]),
            ([node("a"), node("b", version: "v3")], .init(name: "v2", version: "v2"), ["b:version"]),
            ([node("a", version: nil)], .init(name: "v2", version: "v2"), ["a:version"]),
            ([node("a", running: false)], .init(name: "v2"), ["a:agent"]),
            ([node("a", restart: "false")], .init(name: "v2"), ["a:agent"]),
            ([node("a", catchingUp: true)], .init(name: "v2"), ["a:sync"]),
            ([node("a", height: nil)], .init(name: "v2"), ["a:sync"]),
            (
                [node("a", address: "K"), node("b", address: "K"), node("c")], .init(name: "v2"),
                ["a:double_sign", "b:double_sign"]
            ),
            ([node("a", height: 100), node("b", height: 120)], .init(name: "v2", height: 120), ["b:height"]),
            ([node("a", skipBackup: false, estimate: estimate(needed: 10, free: 9))], .init(name: "v2"), ["a:disk"]),
            ([node("a", skipBackup: false)], .init(name: "v2"), ["a:disk"]),
            ([node("a", skipBackup: false, estimate: estimate(needed: 10, free: 10))], .init(name: "v2"), []),
            // The agent looks in the recased directory: `V2` is `upgrades/v2` unless recase is off.
            ([node("a")], .init(name: "V2"), []),
            ([node("a", disableRecase: true)], .init(name: "V2"), ["a:staged", "a:sha256", "a:executable"]),
            ([node("a", staged: "V2", disableRecase: true)], .init(name: "V2"), []),
        ] as [([PreflightReading], PreflightMatrix.Request, [String])]
    )
    func problems(readings: [PreflightReading], request: PreflightMatrix.Request, expected: [String]) {
        let matrix = PreflightMatrix(readings, request: request)
        #expect(Self.red(matrix) == expected)
        #expect(matrix.isGreen == expected.isEmpty)
    }

    @Test("an unreachable node is a red row with its error; the failures name host and check")
    func unreachable() {
        let down = PreflightReading(
            observation: HostObservation(host: "b", role: "sentry", error: "connection refused"))
        let matrix = PreflightMatrix([Self.node("a", version: "v3"), down], request: .init(name: "v2", version: "v2"))
        #expect(!matrix.isGreen)
        #expect(matrix.rows[1].error == "connection refused")
        #expect(matrix.failures == ["a: version: v3, not v2", "b: unreachable: connection refused"])
    }

    @Test("blocks left and an ETA from the fleet's median observed block time, also for a node that saw no block")
    func heightAndETA() {
        let samples: [PreflightReading.HeightSample] = [
            .init(height: 100, unixMilliseconds: 1_000_000), .init(height: 104, unixMilliseconds: 1_024_000),
        ]
        let fast: [PreflightReading.HeightSample] = [
            .init(height: 90, unixMilliseconds: 1_000_000), .init(height: 92, unixMilliseconds: 1_002_000),
        ]
        let matrix = PreflightMatrix(
            [
                Self.node("a", height: 100, samples: samples), Self.node("b", height: 90, samples: fast),
                Self.node("c", height: 100, samples: samples), Self.node("d", height: 100),
            ],
            request: .init(name: "v2", height: 150))
        #expect(matrix.secondsPerBlock == 6)
        #expect(matrix.rows[0].cell(.height)?.detail == "50 blocks left (ETA ~5m00s)")
        #expect(matrix.rows[1].cell(.height)?.detail == "60 blocks left (ETA ~6m00s)", "the median, not its own 1 s")
        #expect(matrix.rows[3].cell(.height)?.detail == "50 blocks left (ETA ~5m00s)")
        let still = PreflightMatrix(
            [
                Self.node(
                    "a", samples: [.init(height: 100, unixMilliseconds: 1), .init(height: 100, unixMilliseconds: 9)])
            ],
            request: .init(name: "v2", height: 110))
        #expect(still.rows[0].cell(.height)?.detail == "10 blocks left")
    }

    @Test("the matrix round-trips through JSON with snake_case keys")
    func json() throws {
        let matrix = PreflightMatrix([Self.node("a", catchingUp: true)], request: .init(name: "v2", height: 200))
        let data = try NodeStatus.encoder.encode(matrix)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["is_green"] as? Bool == false)
        let cells = (object["rows"] as? [[String: Any]])?.first?["cells"] as? [[String: Any]] ?? []
        #expect(cells.map { $0["check"] as? String } == PreflightCheck.allCases.map(\.rawValue))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(PreflightMatrix.self, from: data) == matrix)
    }
}
