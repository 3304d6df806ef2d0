import FleetTestSupport
import Testing

@testable import NodeAgent

@Suite("GoDuration", .tags(.pure))
struct GoDurationTests {
    @Test(
        "ParseDuration",
        arguments: [
            ("0", 0), ("1s", 1_000_000_000), ("300ms", 300_000_000), ("1.5s", 1_500_000_000),
            ("1h30m", 5_400_000_000_000),
            ("-3m", -180_000_000_000), ("+2ns", 2), ("1us", 1_000), ("1µs", 1_000), ("1μs", 1_000),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000), ("2h45m30.5s", 9_930_500_000_000), ("-0", 0),
        ] as [(String, Int64)]
    )
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration.parse(text) == nanoseconds)
    }

    @Test(
        "ParseDuration errors",
        arguments: [
            ("", #"time: invalid duration """#), ("bad", #"time: invalid duration "bad""#),
            ("600", #"time: missing unit in duration "600""#), ("1x", #"time: unknown unit "x" in duration "1x""#),
            (".s", #"time: invalid duration ".s""#), ("1 s", #"time: unknown unit " s" in duration "1 s""#),
            ("9999999999h", #"time: invalid duration "9999999999h""#), ("-", #"time: invalid duration "-""#),
        ]
    )
    func errors(text: String, message: String) {
        let error = #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse(text) }
        #expect(error?.description == message)
    }

    @Test(
        "Duration.String",
        arguments: [
            (0, "0s"), (1, "1ns"), (1_100, "1.1µs"), (2_200_000, "2.2ms"), (300_000_000, "300ms"),
            (1_000_000_000, "1s"),
            (1_500_000_000, "1.5s"), (60_000_000_000, "1m0s"), (3_600_000_000_000, "1h0m0s"),
            (5_400_000_000_000, "1h30m0s"),
            (-1_500_000_000, "-1.5s"), (Int64.max, "2562047h47m16.854775807s"),
        ] as [(Int64, String)]
    )
    func formats(nanoseconds: Int64, text: String) {
        #expect(GoDuration.format(nanoseconds) == text)
    }
}
