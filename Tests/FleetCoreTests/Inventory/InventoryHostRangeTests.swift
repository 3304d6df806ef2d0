import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory host ranges", .tags(.pure))
struct InventoryHostRangeTests {
    @Test(
        "INI and YAML expand the same ranges",
        arguments: [
            ("sentry-[01:03]", ["sentry-01", "sentry-02", "sentry-03"]),
            ("n[1:3]", ["n1", "n2", "n3"]),
            ("n[8:11]", ["n8", "n9", "n10", "n11"]),
            ("n[08:11]", ["n08", "n09", "n10", "n11"]),
            ("n[001:003].example.org", ["n001.example.org", "n002.example.org", "n003.example.org"]),
            ("db-[a:c]", ["db-a", "db-b", "db-c"]),
            ("db-[x:B]", ["db-x", "db-y", "db-z", "db-A", "db-B"]),
            ("w[1:10:4]", ["w1", "w5", "w9"]),
            ("w[01:10:3]", ["w01", "w04", "w07", "w10"]),
            ("w[:2]", ["w0", "w1", "w2"]),
            ("r[1:2]-[a:b]", ["r1-a", "r1-b", "r2-a", "r2-b"]),
            ("plain", ["plain"]),
            ("n[5:5]", ["n5"]),
            ("n[0:1]", ["n0", "n1"]),
        ]
    )
    func expands(pattern: String, expected: [String]) throws {
        let ini = try InventoryParser.parse(text: "[g]\n\(pattern) k=v\n", format: .ini)
        let yaml = try InventoryParser.parse(text: "all:\n  hosts:\n    \(pattern):\n      k: v\n", format: .yaml)
        #expect(ini.hosts.map(\.name) == expected)
        #expect(yaml.hosts.map(\.name) == expected)
        #expect(ini.hosts.allSatisfy { $0.vars["k"] == "v" })
        #expect(yaml.hosts.allSatisfy { $0.vars["k"] == "v" })
    }

    @Test(
        "bad ranges are errors that point at the bracket",
        arguments: [
            ("n[10:01]", "counts down"),
            ("n[c:a]", "counts down"),
            ("n[01:100]", "same width"),
            ("n[1:a]", "two numbers or two single letters"),
            ("n[aa:c]", "two numbers or two single letters"),
            ("n[1:5:0]", "stride"),
            ("n[1:]", "end is missing"),
            ("n[1:2:3:4]", "[start:end]"),
        ]
    )
    func badRange(pattern: String, reason: String) {
        for (text, format, line, column) in [
            ("[g]\n  \(pattern) x=1\n", InventoryFormat.ini, 2, 4),
            ("all:\n  hosts:\n    \(pattern):\n", .yaml, 3, 6),
        ] {
            let error = #expect(throws: InventoryError.self) {
                try InventoryParser.parse(text: text, format: format, fileName: "f")
            }
            #expect(error?.code == .badRange)
            #expect(error?.line == line, "\(format)")
            #expect(error?.column == column, "\(format)")
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(pattern) == true)
        }
    }

    @Test("a bracket without a colon is not a range")
    func notARange() throws {
        let inventory = try InventoryParser.parse(text: "[g]\nhost[1]\n", format: .ini)
        #expect(inventory.hosts.map(\.name) == ["host[1]"])
    }
}
