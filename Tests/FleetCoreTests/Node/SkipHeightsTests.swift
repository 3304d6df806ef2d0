import FleetCore
import FleetTestSupport
import Testing

@Suite("SkipHeights", .tags(.pure))
struct SkipHeightsTests {
    /// Upstream TestUpgradeSkipHeights plus the SDK int-slice forms cosmovisor misses.
    @Test(
        "parser",
        arguments: [
            ([], []),
            (["--unsafe-skip-upgrades"], []),
            (["start", "--unsafe-skip-upgrades", "--abcd"], []),
            (["start", "--unsafe-skip-upgrades", "10"], [10]),
            (["start", "--unsafe-skip-upgrades", "10", "20"], [10, 20]),
            (["start", "--unsafe-skip-upgrades", "10", "20", "--abcd", "34"], [10, 20]),
            (["start", "--unsafe-skip-upgrades", "10", "as", "20", "--abcd"], [10, 20]),
            (["start", "--unsafe-skip-upgrades", "10,20"], [10, 20]),
            (["start", "--unsafe-skip-upgrades=10"], [10]),
            (["start", "--unsafe-skip-upgrades=10,20", "--unsafe-skip-upgrades", "30"], [10, 20, 30]),
            (["start", "--unsafe-skip-upgrades", "10", "--unsafe-skip-upgrades", "10"], [10]),
            (["start", "--unsafe-skip-upgrades=", "5"], []),
            (["start", "--unsafe-skip-upgradesX", "5"], []),
        ] as [([String], [Int64])]
    )
    func parse(arguments: [String], heights: [Int64]) {
        #expect(SkipHeights.parse(arguments) == heights)
    }

    /// Upstream TestSkipUpgrade truth table.
    @Test(
        "TestSkipUpgrade",
        arguments: [
            (["appb", "start", "--unsafe-skip-upgrades"], 0, false),
            (["appb", "start", "--unsafe-skip-upgrades", "--abcd"], 0, false),
            (["appb", "start", "--unsafe-skip-upgrades", "10", "--abcd"], 11, false),
            (["appb", "start", "--unsafe-skip-upgrades", "10", "--abcd"], 10, true),
            (["appb", "start", "--unsafe-skip-upgrades", "10", "20", "--abcd"], 20, true),
            (["appb", "start", "--unsafe-skip-upgrades", "10", "20", "--abcd", "34"], 34, false),
            (["appb", "start", "--unsafe-skip-upgrades", "10", "as", "20", "--abcd"], 20, true),
        ] as [([String], Int64, Bool)]
    )
    func skip(arguments: [String], height: Int64, skipped: Bool) {
        #expect(SkipHeights.contains(height, in: arguments) == skipped)
    }
}
