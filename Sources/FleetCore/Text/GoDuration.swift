/// Go `time.Duration` text: `time.ParseDuration` and `Duration.String`, on nanoseconds.
///
/// Cosmovisor's duration settings are Go durations (`300ms`, `1h30m`, `1.5s`); its `config` output prints
/// them with Go's formatting (`0s`, `300ms`, `1m0s`). Both directions are reproduced exactly here.
public enum GoDuration {
    /// A parse failure, worded as Go's (`time: invalid duration "bad"`), for the caller to report.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    private static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Parses `text` like `time.ParseDuration`.
    ///
    /// - Returns: nanoseconds (may be zero or negative; callers decide what they accept).
    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        let invalid = ParseError(description: "time: invalid duration \(goQuote(text))")
        var rest = Substring(text)
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        if rest.isEmpty { throw invalid }
        var total: UInt64 = 0
        let limit = UInt64(1) << 63
        while !rest.isEmpty {
            guard let first = rest.first, first == "." || first.isASCIIDigit else { throw invalid }
            let integerDigits = rest.prefix { $0.isASCIIDigit }
            rest = rest.dropFirst(integerDigits.count)
            var value: UInt64 = 0
            for digit in integerDigits {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit.asciiValue! - 48))
                if overflow1 || overflow2 || plus > limit { throw invalid }
                value = plus
            }
            var fraction: UInt64 = 0
            var scale: Double = 1
            var fractionDigits = 0
            if rest.first == "." {
                rest = rest.dropFirst()
                let digits = rest.prefix { $0.isASCIIDigit }
                rest = rest.dropFirst(digits.count)
                fractionDigits = digits.count
                var overflowed = false
                for digit in digits where !overflowed {
                    let (times, overflow1) = fraction.multipliedReportingOverflow(by: 10)
                    let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit.asciiValue! - 48))
                    if overflow1 || overflow2 || plus > limit {
                        overflowed = true
                    } else {
                        fraction = plus
                        scale *= 10
                    }
                }
            }
            if integerDigits.isEmpty && fractionDigits == 0 { throw invalid }
            let unitText = rest.prefix { $0 != "." && !$0.isASCIIDigit }
            if unitText.isEmpty { throw ParseError(description: "time: missing unit in duration \(goQuote(text))") }
            rest = rest.dropFirst(unitText.count)
            guard let unit = units[String(unitText)] else {
                throw ParseError(
                    description: "time: unknown unit \(goQuote(String(unitText))) in duration \(goQuote(text))"
                )
            }
            if value > limit / unit { throw invalid }
            value *= unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > limit { throw invalid }
            }
            total += value
            if total > limit { throw invalid }
        }
        if negative { return total == limit ? Int64.min : -Int64(total) }
        if total > UInt64(Int64.max) { throw invalid }
        return Int64(total)
    }

    /// Formats nanoseconds like Go's `Duration.String` (`0s`, `1.5µs`, `300ms`, `1m0s`, `1h30m0s`).
    public static func format(_ nanoseconds: Int64) -> String {
        let negative = nanoseconds < 0
        var value = nanoseconds.magnitude
        var text: String
        if value < 1_000_000_000 {
            if value == 0 { return "0s" }
            let (precision, unit): (Int, String) =
                value < 1_000 ? (0, "ns") : value < 1_000_000 ? (3, "µs") : (6, "ms")
            let fraction = fractionText(&value, precision: precision)
            text = String(value) + fraction + unit
        } else {
            let fraction = fractionText(&value, precision: 9)
            text = String(value % 60) + fraction + "s"
            value /= 60
            if value > 0 {
                text = String(value % 60) + "m" + text
                value /= 60
                if value > 0 { text = String(value) + "h" + text }
            }
        }
        return negative ? "-" + text : text
    }

    /// Formats a Swift duration (rounded to nanoseconds) the Go way.
    public static func format(_ duration: Duration) -> String { format(nanoseconds(duration)) }

    /// A Swift duration's whole nanoseconds.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Go `fmtFrac`: removes `precision` fractional digits from `value`, returning `.ddd` without trailing zeros.
    private static func fractionText(_ value: inout UInt64, precision: Int) -> String {
        var digits: [Character] = []
        var printed = false
        for _ in 0..<precision {
            let digit = value % 10
            printed = printed || digit != 0
            if printed { digits.append(Character(String(digit))) }
            value /= 10
        }
        return printed ? "." + String(digits.reversed()) : ""
    }

    /// Go `strconv.Quote` for the ASCII-and-UTF-8 text used in messages.
    public static func goQuote(_ text: String) -> String {
        GoText.quoted(text) { scalar in
            guard scalar.value < 0x20 || scalar.value == 0x7F else { return nil }
            return "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
