import FleetTestSupport
import Testing

@testable import NodeAgent

@Suite("TOMLDocument", .tags(.pure))
struct TOMLDocumentTests {
    @Test(
        "values",
        arguments: [
            (#"a = "x\"y\\z\n\u00e9""#, ConfigValue.string("x\"y\\z\né")),
            ("a = 'C:\\path'", .string("C:\\path")),
            ("a = true", .bool(true)),
            ("a = false # comment", .bool(false)),
            ("a = -1_000", .integer(-1000)),
            ("a = +5", .integer(5)),
            ("  a=3", .integer(3)),
            (#""a" = 1"#, .integer(1)),
        ]
    )
    func values(line: String, value: ConfigValue) throws {
        #expect(try TOMLDocument(parsing: "# header\n\n" + line + "\r\n")["a"] == value)
    }

    @Test(
        "refused lines",
        arguments: [
            ("[table]", "toml: line 1: tables are not supported"),
            ("a", "toml: line 1: expected key = value"),
            ("a = [1]", #"toml: line 1: unsupported value "[1]""#),
            ("a = 'x", "toml: line 1: unterminated string"),
            ("a = \"x\" y", "toml: line 1: unexpected text after value"),
            ("a b = 1", #"toml: line 1: invalid key "a b""#),
        ]
    )
    func refused(text: String, message: String) {
        let error = #expect(throws: TOMLDocument.SyntaxError.self) { try TOMLDocument(parsing: text) }
        #expect(error?.description == message)
    }

    @Test("writing then parsing is the identity, control characters included")
    func roundTrip() throws {
        let document = TOMLDocument(entries: [("s", .string("a\u{1}b\t\"\\")), ("b", .bool(true)), ("i", .integer(-7))])
        #expect(try TOMLDocument(parsing: document.text) == document)
    }
}
