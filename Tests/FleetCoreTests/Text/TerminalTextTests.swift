import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Untrusted text on its way to a terminal: controls shown, never obeyed; length bounded.
@Suite("Terminal text", .tags(.pure))
struct TerminalTextTests {
    @Test(
        "C0, DEL, ESC and CR become \\xNN; C1, separators and bidi overrides become \\u{…}",
        arguments: [
            ("v1.2.3", "v1.2.3"),
            ("v1\u{1B}]0;owned\u{07}", #"v1\x1b]0;owned\x07"#),
            ("\u{1B}[2J\u{1B}[31mred", #"\x1b[2J\x1b[31mred"#),
            ("a\rb\nc\td\u{7F}", #"a\x0db\x0ac\x09d\x7f"#),
            ("\u{9B}31m", #"\u{9B}31m"#),
            ("evil\u{202E}txt.exe", #"evil\u{202E}txt.exe"#),
            ("line\u{2028}sep", #"line\u{2028}sep"#),
            ("日本 🚀 é x'\u{200D}", "日本 🚀 é x'\u{200D}"),
        ])
    func escapes(input: String, expected: String) {
        #expect(TerminalText.escaped(input) == expected)
    }

    @Test("newline and tab are kept only when asked; carriage return never")
    func lineBreaks() {
        #expect(TerminalText.escaped("a\nb\tc\r\n", keeping: .lineBreaks) == "a\nb\tc\\x0d\n")
        #expect(TerminalText.escaped("a\nb") == #"a\x0ab"#)
    }

    @Test("invalid UTF-8 bytes are shown as \\xNN and the valid text around them is kept")
    func invalidBytes() {
        let bytes: [UInt8] = [0x6F, 0x6B, 0xFF, 0xC3, 0xA9, 0xC3, 0xE2, 0x82, 0x1B, 0xF0, 0x9F, 0x9A, 0x80]
        #expect(TerminalText.escaped(bytes: bytes) == #"ok\xffé\xc3\xe2\x82\x1b🚀"#)
    }

    @Test("output is cut after the limit, on a character boundary, saying how much was left out")
    func bounded() {
        #expect(
            TerminalText.escaped(String(repeating: "a", count: 5000)) == String(repeating: "a", count: 1024)
                + "…(3976 more bytes)")
        #expect(TerminalText.escaped("ééé", limit: 3) == "é…(4 more bytes)")
        #expect(TerminalText.escaped("short", limit: 5) == "short")
    }

    @Test("nothing a terminal obeys survives, for every single scalar")
    func noControlSurvives() {
        for value in UInt32(0)...0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let out = TerminalText.escaped(String(Character(scalar)))
            #expect(
                !out.unicodeScalars.contains {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}"
                },
                "U+\(String(value, radix: 16)) came through as \(out.debugDescription)"
            )
        }
    }
}
