import FleetCore
import FleetTestSupport
import Foundation
import PropertyBased
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

    @Test("an apostrophe joined to a combining mark or U+200D is still escaped byte by byte")
    func apostropheInsideAGrapheme() {
        #expect(ShellQuote.quote("x'\u{200D};") == "'x'\\''\u{200D};'")
        #expect(ShellQuote.quote("'\u{301}") == "''\\''\u{301}'")
    }

    /// What a real `/bin/sh` makes of the quoted word: its bytes as `printf %s` writes them.
    static func throughShell(_ value: String) async throws -> Data {
        try await ProcessRunner.runAsync(["/bin/sh", "-c", "printf %s " + ShellQuote.quote(value)]).stdout
    }

    /// Pieces that matter to a shell or to grapheme breaking (an apostrophe joined to a ZWJ, a combining
    /// mark or a variation selector is one `Character`), drawn half the time; any other scalar except NUL
    /// (which no argv or exec request can carry) the other half.
    static let pieces: Generator<String, Shrink.None<UInt32>> = Gen<UInt32>.value(in: 0...0x1F_FFFF)
        .withoutShrink()
        .map { value -> String in
            let special = [
                "'", "'\u{200D}", "'\u{301}", "'\u{FE0F}", "\u{200D}", "\u{301}", "\n", "\r", "\t", "\"", "\\", "$(",
                "`", ";", " ", "#", "%s", "*", "!", "&|", "\u{1B}", "\u{7F}", "\u{85}", "\u{FFFD}",
                "\u{1F468}\u{200D}\u{1F469}",
            ]
            if value & 1 == 0 { return special[Int(value >> 1) % special.count] }
            let raw = (value >> 1) % 0x11_0000
            return Unicode.Scalar(raw).flatMap { $0.value == 0 ? nil : String($0) } ?? "'"
        }

    @Test("any NUL-free string comes back byte-identical through a real /bin/sh")
    func roundTripThroughShell() async throws {
        await propertyCheck(input: Self.pieces.array(of: 0...16).map { $0.joined() }) { value in
            let echoed = try await Self.throughShell(value)
            #expect(
                echoed == Data(value.utf8),
                "\(value.debugDescription) came back as \(String(decoding: echoed, as: UTF8.self).debugDescription)")
        }
    }

    @Test("an inventory daemon_home of x'<ZWJ>; touch …; # reaches the node's shell as data, never runs")
    func inventoryValueNeverRuns() async throws {
        try await withTemporaryDirectory { dir in
            let marker = dir + "/p"
            let inventory = try InventoryParser.parse(
                text: """
                    all:
                      hosts:
                        val-1:
                          daemon_name: mockchaind
                          daemon_home: "x'\\u200d; touch \(marker); #"
                    """,
                format: .yaml, fileName: "inventory.yml"
            )
            let host = try #require(inventory.host(named: "val-1"))
            #expect(host.daemonHome == "x'\u{200D}; touch \(marker); #")
            var target = try FleetStatusCollector.probeTarget(for: host).get()
            target.agentPath = dir + "/no-agent-here"
            target.nodeRPC = "http://127.0.0.1:1"
            let probe = try await ProcessRunner.runAsync(
                ["/bin/sh", "-c", NodeProbe.command(for: target)],
                environment: ["XDG_CACHE_HOME": "/dev/null/no-cache"],
                directory: dir
            )
            #expect(!FileManager.default.fileExists(atPath: marker), "the probe ran daemon_home: \(probe.errorOutput)")
            #expect(try await Self.throughShell(host.daemonHome ?? "") == Data((host.daemonHome ?? "").utf8))
        }
    }
}
