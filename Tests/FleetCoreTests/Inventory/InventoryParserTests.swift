import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory parser: INI and YAML forms", .tags(.pure))
struct InventoryParserTests {
    private static func parse(_ text: String, _ format: InventoryFormat) throws -> Inventory {
        try InventoryParser.parse(text: text, format: format, fileName: "inventory.\(format.rawValue)")
    }

    @Test("INI and YAML forms of the same fleet resolve to the same hosts and variables")
    func sameFleetBothFormats() throws {
        let ini = try Self.parse(InventoryFixtures.fleetINI, .ini)
        let yaml = try Self.parse(InventoryFixtures.fleetYAML, .yaml)
        #expect(
            ini.hosts.map(\.name) == ["bastion", "sentry-01", "sentry-02", "sentry-03", "val-1", "val-2", "archive"])
        #expect(yaml.hosts.map(\.name) == ini.hosts.map(\.name))
        for (left, right) in zip(ini.hosts, yaml.hosts) {
            #expect(left == right, "\(left.name)")
            #expect(left.vars == right.vars, "\(left.name)")
        }
        for name in ["sentries", "validators", "full", "osmosis"] {
            #expect(ini.groups[name]?.hosts == yaml.groups[name]?.hosts, "\(name)")
            #expect(ini.groups[name]?.children == yaml.groups[name]?.children, "\(name)")
            #expect(ini.groups[name]?.vars == yaml.groups[name]?.vars, "\(name)")
        }
        #expect(ini.groups["osmosis"]?.children == ["sentries", "validators", "full"])
    }

    struct Expected: Sendable, CustomTestStringConvertible {
        var host: String
        var address: String
        var port: Int
        var user: String?
        var role: InventoryHost.Role
        var groups: [String]
        var testDescription: String { host }
    }

    @Test(
        "typed accessors of the demo fleet, in both formats",
        arguments: [InventoryFormat.ini, .yaml],
        [
            Expected(
                host: "bastion", address: "192.0.2.1", port: 22, user: "cosmos", role: .full, groups: ["ungrouped"]),
            Expected(
                host: "sentry-02", address: "sentry-02", port: 2201, user: "cosmos", role: .sentry,
                groups: ["osmosis", "sentries"]),
            Expected(
                host: "val-1", address: "10.0.0.10", port: 22, user: "validator", role: .validator,
                groups: ["osmosis", "validators"]),
            Expected(
                host: "val-2", address: "10.0.0.11", port: 2222, user: "validator", role: .validator,
                groups: ["osmosis", "validators"]),
            Expected(
                host: "archive", address: "10.0.0.20", port: 22, user: "cosmos", role: .full,
                groups: ["full", "osmosis"]),
        ]
    )
    func accessors(format: InventoryFormat, expected: Expected) throws {
        let text = format == .ini ? InventoryFixtures.fleetINI : InventoryFixtures.fleetYAML
        let host = try #require(try Self.parse(text, format).host(named: expected.host))
        #expect(host.address == expected.address)
        #expect(host.port == expected.port)
        #expect(host.user == expected.user)
        #expect(host.role == expected.role)
        #expect(host.groups == expected.groups)
        #expect(host.agentPath == "/usr/local/bin/node-agent")
        if expected.host == "bastion" {
            #expect(host.daemonName == nil)
            #expect(host.daemonHome == nil)
        } else {
            #expect(host.daemonName == "osmosisd")
            #expect(host.daemonHome == "/home/osmo/.osmosisd")
        }
        let rpc = expected.host == "archive" ? "http://10.0.0.20:26657" : "http://127.0.0.1:26657"
        #expect(host.nodeRPC == rpc)
    }

    @Test("quoted INI values keep their spaces and lose their quotes")
    func quotedValues() throws {
        let inventory = try Self.parse(
            #"""
            [g]
            h1 a="two words" b='single # not a comment' c=x\ y d="say \"hi\"" e=plain # trailing comment
            h2 empty="" mixed=pre"in side"post
            [g:vars]
            motd = "hello world"   # comment
            raw = some value here # comment
            hash="#1"
            url=http://h/#frag
            apostrophe=it's fine
            """#,
            .ini
        )
        let h1 = try #require(inventory.host(named: "h1"))
        #expect(h1.vars["a"] == "two words")
        #expect(h1.vars["b"] == "single # not a comment")
        #expect(h1.vars["c"] == "x y")
        #expect(h1.vars["d"] == #"say "hi""#)
        #expect(h1.vars["e"] == "plain")
        let h2 = try #require(inventory.host(named: "h2"))
        #expect(h2.vars["empty"] == "")
        #expect(h2.vars["mixed"] == "prein sidepost")
        #expect(h1.vars["motd"] == "hello world")
        #expect(h1.vars["raw"] == "some value here")
        #expect(h1.vars["hash"] == "#1")
        #expect(h1.vars["url"] == "http://h/#frag")
        #expect(h1.vars["apostrophe"] == "it's fine")
    }

    @Test("INI: byte-order mark, comments, CRLF, hosts before any section are ungrouped, host:port, [g:hosts]")
    func iniDetails() throws {
        let inventory = try Self.parse(
            "\u{FEFF}; leading comment\r\nloose-1\r\n  # indented comment\r\n[web:hosts]\r\nweb-1:2022 ansible_user=u\r\nloose-2\r\n",
            .ini
        )
        #expect(inventory.hosts.map(\.name) == ["loose-1", "web-1", "loose-2"])
        #expect(inventory.groups["ungrouped"]?.hosts == ["loose-1"])
        #expect(inventory.groups["web"]?.hosts == ["web-1", "loose-2"])
        let web1 = try #require(inventory.host(named: "web-1"))
        #expect(web1.port == 2022)
        #expect(web1.user == "u")
        #expect(inventory.groups["all"]?.children == ["ungrouped", "web"])
    }

    @Test("[g:children] may name a group defined nowhere (it is created), and [g:vars] may come before [g]")
    func groupsCreatedOnMention() throws {
        let inventory = try Self.parse("[late:vars]\nv=1\n[p:children]\nundeclared\nlate\n[late]\nh\n", .ini)
        #expect(inventory.groups["undeclared"] == InventoryGroup(name: "undeclared"))
        #expect(inventory.groups["p"]?.children == ["undeclared", "late"])
        #expect(inventory.host(named: "h")?.vars["v"] == "1")
        #expect(inventory.host(named: "h")?.groups == ["late", "p"])
    }

    @Test("a host listed before any section and again in a group leaves ungrouped")
    func ungroupedReconciled() throws {
        let inventory = try Self.parse("h1\nh2\n[g]\nh1\n", .ini)
        #expect(inventory.groups["ungrouped"]?.hosts == ["h2"])
        #expect(inventory.host(named: "h1")?.groups == ["g"])
        #expect(inventory.host(named: "h2")?.groups == ["ungrouped"])
    }

    @Test("YAML: null hosts and groups, numbers and booleans as text, lists as flow YAML, merge keys")
    func yamlDetails() throws {
        let inventory = try Self.parse(
            """
            defaults: &defaults
              vars: {}
            all:
              children:
                empty:
                lonely:
                  hosts:
                other:
                  hosts:
                    h1:
                    h2: {ansible_port: 2222, flag: yes, ratio: 1.50, peers: [a, "b c"], nothing: ~}
                    h3:
                      <<: &common {shared: from-anchor, over: anchor}
                      over: explicit
            """,
            .yaml
        )
        #expect(inventory.hosts.map(\.name) == ["h1", "h2", "h3"])
        #expect(inventory.groups["empty"] != nil)
        #expect(inventory.groups["lonely"]?.hosts == [])
        #expect(inventory.groups["defaults"] != nil, "every top-level key is a group, as in Ansible")
        let h2 = try #require(inventory.host(named: "h2"))
        #expect(h2.port == 2222)
        #expect(h2.vars["flag"] == "yes")
        #expect(h2.vars["ratio"] == "1.50")
        #expect(h2.vars["peers"] == #"[a, "b c"]"#)
        #expect(h2.vars["nothing"] == "")
        let h3 = try #require(inventory.host(named: "h3"))
        #expect(h3.vars["shared"] == "from-anchor")
        #expect(h3.vars["over"] == "explicit")
    }

    @Test("an empty or comment-only inventory has no hosts")
    func emptyInventory() throws {
        for (text, format) in [("", InventoryFormat.ini), ("# nothing\n", .ini), ("", .yaml), ("# nothing\n", .yaml)] {
            let inventory = try Self.parse(text, format)
            #expect(inventory.hosts.isEmpty)
            #expect(Set(inventory.groups.keys) == ["all", "ungrouped"])
        }
    }

    @Test(
        "format detection by extension, then by content",
        arguments: [
            ("inventory.ini", "all:\n", InventoryFormat.ini),
            ("hosts.yml", "[g]\n", .yaml),
            ("hosts.YAML", "", .yaml),
            ("inv.json", "{}", .yaml),
            ("hosts", "# c\n\nall:\n  hosts:\n", .yaml),
            ("hosts", "---\nall: {}\n", .yaml),
            ("hosts", "; c\n[sentries]\ns1\n", .ini),
            ("hosts", "s1 ansible_port=22\n", .ini),
            ("dir.d/hosts", "s1:2222\n", .ini),
            ("hosts", "", .ini),
        ]
    )
    func formatDetection(fileName: String, text: String, expected: InventoryFormat) {
        #expect(InventoryFormat.detect(fileName: fileName, text: text) == expected)
    }

    @Test("parse without a format sniffs the content")
    func parseSniffs() throws {
        let yaml = try InventoryParser.parse(text: InventoryFixtures.fleetYAML, fileName: "hosts")
        let ini = try InventoryParser.parse(text: InventoryFixtures.fleetINI, fileName: "hosts")
        #expect(yaml.hosts == ini.hosts)
    }
}
