import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory errors name the file, line and column", .tags(.pure))
struct InventoryErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var format: InventoryFormat
        var code: InventoryError.Code
        var line: Int?
        var column: Int?
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unterminated quote in a host variable",
            text: "[validators]\nval-1 ansible_host=10.0.0.1 daemon_home=\"/home/val\n",
            format: .ini, code: .unterminatedQuote, line: 2, column: 41,
            message: "unterminated quote in value of 'daemon_home'"
        ),
        Case(
            name: "unterminated single quote in a group variable",
            text: "[g]\nh\n\n[g:vars]\nmotd = 'hello\n",
            format: .ini, code: .unterminatedQuote, line: 5, column: 8,
            message: "unterminated quote in value of 'motd'"
        ),
        Case(
            name: "unknown section type",
            text: "[validators]\nv1\n[validators:child]\nv2\n",
            format: .ini, code: .unknownSectionType, line: 3, column: 13,
            message: "unknown section type 'child' in '[validators:child]'; expected vars, children or hosts"
        ),
        Case(
            name: "section header without its closing bracket",
            text: "[validators\nv1\n",
            format: .ini, code: .malformedLine, line: 1, column: 1,
            message: "section header '[validators' does not end with ']'"
        ),
        Case(
            name: "host word that is not key=value",
            text: "[g]\n  h1 ansible_port=22 oops\n",
            format: .ini, code: .malformedLine, line: 2, column: 22,
            message: "expected key=value after host 'h1', found 'oops'"
        ),
        Case(
            name: "vars line without =",
            text: "[g]\nh\n[g:vars]\njust a line\n",
            format: .ini, code: .malformedLine, line: 4, column: 1,
            message: "expected key=value in [g:vars], found 'just a line'"
        ),
        Case(
            name: "two group names on a children line",
            text: "[p:children]\na b\n",
            format: .ini, code: .malformedLine, line: 2, column: 1,
            message: "expected one group name in [p:children]"
        ),
        Case(
            name: "duplicate variable on one host line",
            text: "[g]\nh1 daemon_name=gaiad node_rpc=x daemon_name=osmosisd\n",
            format: .ini, code: .duplicateVariable, line: 2, column: 33,
            message: "variable 'daemon_name' is set twice for host 'h1'"
        ),
        Case(
            name: "vars for a group defined nowhere",
            text: "[g]\nh\n\n[ghost:vars]\nx=1\n",
            format: .ini, code: .undefinedGroup, line: 4, column: 1,
            message: "[ghost:vars] sets variables for group 'ghost', which no section or children list defines"
        ),
        Case(
            name: "children cycle in INI",
            text: "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n",
            format: .ini, code: .childCycle, line: 6, column: 1,
            message: "groups form a children cycle: a → b → c → a"
        ),
        Case(
            name: "a group that is its own child",
            text: "[a:children]\na\n",
            format: .ini, code: .childCycle, line: 2, column: 1,
            message: "groups form a children cycle: a → a"
        ),
        Case(
            name: "children cycle in YAML (through a group listed twice)",
            text: "all:\n  children:\n    a:\n      children:\n        b:\n    b:\n      children:\n        a:\n",
            format: .yaml, code: .childCycle, line: 8, column: 9,
            message: "groups form a children cycle: a → b → a"
        ),
        Case(
            name: "bad range",
            text: "[sentries]\nsentry-[10:01]\n",
            format: .ini, code: .badRange, line: 2, column: 8,
            message: "bad host range '[10:01]' in 'sentry-[10:01]': it counts down; write [01:10]"
        ),
        Case(
            name: "port out of range, on the host line",
            text: "[g]\nh1 ansible_port=70000\n",
            format: .ini, code: .invalidPort, line: 2, column: 4,
            message: "ansible_port '70000' of host 'h1' is not a port number (1...65535)"
        ),
        Case(
            name: "port that is not a number, in group vars",
            text: "[g]\nh1\n[g:vars]\nansible_port=ssh\n",
            format: .ini, code: .invalidPort, line: 4, column: 1,
            message: "ansible_port 'ssh' of host 'h1' is not a port number (1...65535)"
        ),
        Case(
            name: "port zero in YAML",
            text: "all:\n  hosts:\n    h1:\n      ansible_port: 0\n",
            format: .yaml, code: .invalidPort, line: 4, column: 7,
            message: "ansible_port '0' of host 'h1' is not a port number (1...65535)"
        ),
        Case(
            name: "unknown fleet_role",
            text: "[validators]\nv1 fleet_role=validtor\n",
            format: .ini, code: .invalidRole, line: 2, column: 4,
            message: "fleet_role 'validtor' of host 'v1' is not validator, sentry or full"
        ),
        Case(
            name: "YAML syntax error carries Yams' line and column",
            text: "all:\n  hosts:\n    h1: [a, b\n    h2:\n",
            format: .yaml, code: .yamlSyntax, line: 4, column: 7,
            message: "YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'"
        ),
        Case(
            name: "YAML duplicate key",
            text: "all:\n  hosts:\n    h1:\n    h1:\n",
            format: .yaml, code: .yamlSyntax, line: 3, column: 5,
            message: "duplicate key 'h1' in one mapping"
        ),
        Case(
            name: "YAML hosts written as a list",
            text: "all:\n  children:\n    validators:\n      hosts:\n        - val-1\n        - val-2\n",
            format: .yaml, code: .yamlShape, line: 5, column: 9,
            message: "'all.children.validators.hosts' must be a mapping of host names, found a list"
        ),
        Case(
            name: "YAML host variables that are not a mapping",
            text: "all:\n  hosts:\n    h1: 10.0.0.1\n",
            format: .yaml, code: .yamlShape, line: 3, column: 9,
            message: "expected a mapping of variables at 'all.hosts.h1', found a scalar '10.0.0.1'"
        ),
        Case(
            name: "YAML unknown key in a group",
            text: "all:\n  childen:\n    validators:\n",
            format: .yaml, code: .yamlShape, line: 2, column: 3,
            message: "unexpected key 'childen' in group 'all'; a group has only hosts, vars and children"
        ),
        Case(
            name: "YAML top level that is a list",
            text: "- all\n",
            format: .yaml, code: .yamlShape, line: 1, column: 1,
            message: "expected a mapping of group names (such as 'all:'), found a list"
        ),
        Case(
            name: "YAML group body that is a scalar",
            text: "all:\n  children:\n    validators: val-1\n",
            format: .yaml, code: .yamlShape, line: 3, column: 17,
            message:
                "'all.children.validators' must be a group (a mapping with hosts, vars or children), found a scalar 'val-1'"
        ),
    ]

    @Test("every parse error", arguments: cases)
    func parseError(_ testCase: Case) {
        let file = "inventory.\(testCase.format.rawValue)"
        let error = #expect(throws: InventoryError.self) {
            try InventoryParser.parse(text: testCase.text, format: testCase.format, fileName: file)
        }
        #expect(error?.code == testCase.code)
        #expect(error?.file == file)
        #expect(error?.line == testCase.line)
        #expect(error?.column == testCase.column)
        #expect(error?.message == testCase.message)
        let location = [testCase.line, testCase.column].compactMap { $0 }.map { ":\($0)" }.joined()
        #expect(error?.description == "\(file)\(location): \(testCase.message)")
    }

    @Test("the description reads like a compiler diagnostic and leaves out what is unknown")
    func descriptions() {
        let full = InventoryError(code: .badRange, file: "inventory.ini", line: 12, column: 5, message: "m")
        #expect(full.description == "inventory.ini:12:5: m")
        #expect(InventoryError(code: .badRange, file: "f", line: 3, message: "m").description == "f:3: m")
        #expect(InventoryError(code: .unreadableFile, file: "f", message: "m").description == "f: m")
        #expect(InventoryError(code: .noMatch, file: "", message: "m").description == "m")
    }

    @Test("equality compares the code only")
    func equalityByCode() {
        let one = InventoryError(code: .badRange, file: "a", line: 1, message: "x")
        let two = InventoryError(code: .badRange, file: "b", line: 2, message: "y")
        #expect(one == two)
        #expect(one != InventoryError(code: .invalidPort, file: "a", line: 1, message: "x"))
        #expect(InventoryError.Code.badRange.description == "bad host range")
    }
}
