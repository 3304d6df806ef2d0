import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory --limit patterns", .tags(.pure))
struct InventoryPatternTests {
    /// Hosts in file order: s1 s2 s3 v1 v2 f1 (s = sentries, v = validators, f = full; osmosis holds s1 v1).
    static let inventory: Inventory = {
        let text = """
            [sentries]
            sentry-1
            sentry-2
            sentry-3
            [validators]
            val-1
            val-2
            [full]
            full-1
            [osmosis]
            val-1
            sentry-1
            [chains:children]
            osmosis
            """
        do {
            return try InventoryParser.parse(text: text, format: .ini)
        } catch {
            fatalError("fixture does not parse: \(error)")
        }
    }()

    @Test(
        "selected hosts, in inventory order",
        arguments: [
            ("all", ["sentry-1", "sentry-2", "sentry-3", "val-1", "val-2", "full-1"]),
            ("*", ["sentry-1", "sentry-2", "sentry-3", "val-1", "val-2", "full-1"]),
            ("val-2", ["val-2"]),
            ("validators", ["val-1", "val-2"]),
            ("chains", ["sentry-1", "val-1"]),
            ("sentry-*", ["sentry-1", "sentry-2", "sentry-3"]),
            ("sentry-?", ["sentry-1", "sentry-2", "sentry-3"]),
            ("sentry-[!13]", ["sentry-2"]),
            ("sentry-[!3]", ["sentry-1", "sentry-2"]),
            ("[sv]*-1", ["sentry-1", "val-1"]),
            ("*-1", ["sentry-1", "val-1", "full-1"]),
            ("val*", ["val-1", "val-2"]),
            ("full-1:val-1", ["val-1", "full-1"]),
            ("full-1,val-1", ["val-1", "full-1"]),
            (" validators , full ", ["val-1", "val-2", "full-1"]),
            ("sentries:&osmosis", ["sentry-1"]),
            ("all:&osmosis", ["sentry-1", "val-1"]),
            ("&osmosis", ["sentry-1", "val-1"]),
            ("all:!validators", ["sentry-1", "sentry-2", "sentry-3", "full-1"]),
            ("!validators", ["sentry-1", "sentry-2", "sentry-3", "full-1"]),
            ("!validators:sentries", ["sentry-1", "sentry-2", "sentry-3"]),
            ("sentries:validators:&osmosis:!val-1", ["sentry-1"]),
            ("!sentry-1,&chains,all", ["val-1"]),
            ("~sentry-[12]", ["sentry-1", "sentry-2"]),
            ("~(val|full)-1", ["val-1", "full-1"]),
            ("~val", ["val-1", "val-2"]),
            ("~.*-2", ["sentry-2", "val-2"]),
            ("ungrouped", []),
            ("validators[0]", ["val-1"]),
            ("validators[-1]", ["val-2"]),
            ("sentries[0:1]", ["sentry-1", "sentry-2"]),
            ("sentries[1:]", ["sentry-2", "sentry-3"]),
            ("sentries[1-2]", ["sentry-2", "sentry-3"]),
            ("sentries[1:9]", ["sentry-2", "sentry-3"]),
            ("all[4]", ["val-2"]),
            ("s*[0]", ["sentry-1"]),
            ("all:!validators[0]", ["sentry-1", "sentry-2", "sentry-3", "val-2", "full-1"]),
        ] as [(String, [String])]
    )
    func select(pattern: String, expected: [String]) throws {
        if expected.isEmpty {
            // `ungrouped` exists but is empty here: a group that matches is not "nothing matched".
            #expect(throws: InventoryError.self) { try Self.inventory.select(pattern) }
            return
        }
        #expect(try Self.inventory.select(pattern).map(\.name) == expected)
    }

    @Test(
        "a part that matches nothing is an error that names it",
        arguments: ["valdators", "all:!valdators", "sentries:&osmsis", "nope-*", "~zzz", "validators,ghost"]
    )
    func noMatch(pattern: String) {
        let error = #expect(throws: InventoryError.self) { try Self.inventory.select(pattern) }
        #expect(error?.code == .noMatch)
        let part =
            pattern.split(whereSeparator: { ":,".contains($0) }).map { String($0.drop { "!&".contains($0) }) }
            .first { !["all", "validators", "sentries"].contains($0) } ?? ""
        #expect(error?.message.contains("'\(part)'") == true, "\(error?.message ?? "")")
    }

    @Test(
        "a subscript past the part's hosts is an error",
        arguments: ["sentries[7]", "validators[-3]", "sentries[5:]", "sentry-[13]"])
    func subscriptPastTheEnd(pattern: String) {
        let error = #expect(throws: InventoryError.self) { try Self.inventory.select(pattern) }
        #expect(error?.code == .noMatch)
    }

    @Test("subscripts are parsed like Ansible's; regexes never have one")
    func subscriptParsing() throws {
        #expect(try InventoryPattern("validators[0]").terms.first?.slice == .index(0))
        #expect(try InventoryPattern("v[-2]").terms.first?.slice == .index(-2))
        #expect(try InventoryPattern("v[1:3]").terms.first?.slice == .range(from: 1, through: 3))
        #expect(try InventoryPattern("v[2:]").terms.first?.slice == .range(from: 2, through: nil))
        #expect(try InventoryPattern("v[1:3]").terms.first?.text == "v")
        #expect(try InventoryPattern("v[ab]").terms.first?.slice == nil)
        #expect(try InventoryPattern("~v[0]").terms.first?.slice == nil)
    }

    @Test("invalid patterns", arguments: ["", "  ", ":", "sentries:!", "~(unclosed", "@retry.txt"])
    func invalid(pattern: String) {
        let error = #expect(throws: InventoryError.self) { try InventoryPattern(pattern) }
        #expect(error?.code == .invalidPattern)
    }

    @Test("terms are ordered unions, then intersections, then exclusions")
    func termOrder() throws {
        let pattern = try InventoryPattern("!a:&b:c:~d")
        #expect(pattern.terms.map(\.operation) == [.union, .union, .intersection, .exclusion])
        #expect(pattern.terms.map(\.text) == ["c", "~d", "b", "a"])
        #expect(pattern.description == "!a:&b:c:~d")
    }

    @Test("a name matches a group before hosts; a host named like nothing else still matches")
    func groupBeforeHost() throws {
        let inventory = try InventoryParser.parse(text: "[web]\nweb\ndb\n[other]\nweb-2\n", format: .ini)
        #expect(try inventory.select("web").map(\.name) == ["web", "db"])
        #expect(try inventory.select("db").map(\.name) == ["db"])
        #expect(try inventory.select("web*").map(\.name) == ["web", "db", "web-2"])
    }
}
