import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The one home of Go-compatible text: what Go's encoding/json, strconv and syscall errors print.
@Suite("Go text", .tags(.pure))
struct GoTextTests {
    @Test("jsonString writes what Go's json.Marshal writes: HTML-safe, controls as \\u00XX, / and non-ASCII kept")
    func jsonString() {
        #expect(GoText.jsonString("v1.0/rc<1>&\"é\"\\") == #""v1.0/rc\u003c1\u003e\u0026\"é\"\\""#)
        #expect(GoText.jsonString("a\nb\tc\r\u{1}\u{1F}\u{2028}\u{2029}") == #""a\nb\tc\r\u0001\u001f\u2028\u2029""#)
        #expect(GoText.jsonString("") == #""""#)
    }

    @Test("quoted applies the caller's escapes only to scalars without a short escape")
    func quoted() {
        let toml = GoText.quoted("x\u{7F}\"\n") { $0.value == 0x7F ? GoText.unicodeEscape($0, uppercase: true) : nil }
        #expect(toml == #""x\u007F\"\n""#)
        #expect(GoText.unicodeEscape("\u{1F600}", uppercase: false) == #"\u1f600"#)
    }

    @Test("errno texts are Go's: strerror without the capital")
    func errnoText() {
        #expect(GoText.errno(ENOENT) == "no such file or directory")
        #expect(GoText.errno(EISDIR) == "is a directory")
        #expect(GoText.errno(EACCES) == "permission denied")
    }

    @Test("capitalized keeps strerror's own text, for the messages that always carried it")
    func errnoCapitalized() {
        #expect(GoText.errno(ENOENT, capitalized: true) == "No such file or directory")
        #expect(GoText.errno(EACCES, capitalized: true) == "Permission denied")
    }
}
