import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory variable precedence", .tags(.pure))
struct InventoryPrecedenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var format: InventoryFormat = .ini
        var host: String = "h"
        var expected: String
        var testDescription: String { name }
    }

    @Test(
        "the winning value of `v`",
        arguments: [
            Case(name: "all only", text: "[g]\nh\n[all:vars]\nv=all\n", expected: "all"),
            Case(name: "group beats all", text: "[g]\nh\n[g:vars]\nv=g\n[all:vars]\nv=all\n", expected: "g"),
            Case(
                name: "child beats parent whatever the order",
                text: "[c]\nh\n[c:vars]\nv=child\n[p:children]\nc\n[p:vars]\nv=parent\n", expected: "child"
            ),
            Case(
                name: "deeper beats shallower across branches",
                text:
                    "[deep]\nh\n[mid:children]\ndeep\n[top:children]\nmid\n[z]\nh\n[z:vars]\nv=z\n[deep:vars]\nv=deep\n",
                expected: "deep"
            ),
            Case(
                name: "same depth: later name wins", text: "[b]\nh\n[a]\nh\n[a:vars]\nv=a\n[b:vars]\nv=b\n",
                expected: "b"),
            Case(
                name: "same depth: ansible_group_priority beats the name",
                text: "[b]\nh\n[a]\nh\n[a:vars]\nv=a\nansible_group_priority=5\n[b:vars]\nv=b\n", expected: "a"
            ),
            Case(
                name: "host line beats every group", text: "[g]\nh v=host\n[g:vars]\nv=g\n[all:vars]\nv=all\n",
                expected: "host"),
            Case(
                name: "a later host line wins over an earlier one", text: "[a]\nh v=first\n[b]\nh v=second\n",
                expected: "second"),
            Case(
                name: "YAML: child beats parent, host beats child",
                text:
                    "all:\n  vars: {v: all}\n  children:\n    p:\n      vars: {v: p}\n      children:\n        c:\n          vars: {v: c}\n          hosts:\n            h: {v: host}\n            k:\n",
                format: .yaml, expected: "host"
            ),
            Case(
                name: "YAML: child group beats parent and all",
                text:
                    "all:\n  vars: {v: all}\n  children:\n    p:\n      vars: {v: p}\n      children:\n        c:\n          vars: {v: c}\n          hosts:\n            h: {v: host}\n            k:\n",
                format: .yaml, host: "k", expected: "c"
            ),
            Case(
                name: "YAML: a group listed twice merges",
                text:
                    "all:\n  children:\n    g:\n      hosts: {h: }\n    p:\n      children:\n        g:\n          vars: {v: again}\n",
                format: .yaml, expected: "again"
            ),
        ]
    )
    func winner(_ testCase: Case) throws {
        let inventory = try InventoryParser.parse(text: testCase.text, format: testCase.format)
        let host = try #require(inventory.host(named: testCase.host))
        #expect(host.vars["v"] == testCase.expected)
    }

    @Test("a group's own vars in the model are its inline vars, not inherited ones")
    func groupVarsNotInherited() throws {
        let inventory = try InventoryParser.parse(text: InventoryFixtures.nestedINI, format: .ini)
        #expect(inventory.groups["rack1"]?.vars == ["tier": "rack"])
        #expect(inventory.groups["region"]?.vars == ["tier": "region", "region_only": "yes"])
        #expect(inventory.groups["rack2"]?.vars == [:])
    }
}
