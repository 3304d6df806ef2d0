import FleetCore
import FleetTestSupport
import Testing

/// The shell quoting every remote command relies on (the remote round trip is in SSHExecTests).
@Suite(.tags(.processes)) struct ShellQuoteTests {
    @Test(arguments: [
        ("", "''"), ("plain", "'plain'"), ("it's", #"'it'\''s'"#), ("$(rm -rf /)", "'$(rm -rf /)'"),
        ("a b\nc", "'a b\nc'"), ("''", #"''\'''\'''"#), ("日本", "'日本'"),
    ])
    func quote(input: String, expected: String) {
        #expect(ShellQuote.quote(input) == expected)
    }

    @Test func commandQuotesEveryWord() {
        #expect(ShellQuote.command(["mv", "-f", "a b", "c'd"]) == #"'mv' '-f' 'a b' 'c'\''d'"#)
    }
}
