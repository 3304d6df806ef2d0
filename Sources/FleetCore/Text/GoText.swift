import Foundation

/// Text the way the Go programs we replace write it, byte for byte: double-quoted literals (Go, JSON,
/// TOML), JSON strings as `encoding/json` writes them, and system error texts as Go prints them.
///
/// The one home for Go-compatible wording; each format differs only in which scalars it escapes.
public enum GoText {
    /// `text` between double quotes, escaped.
    ///
    /// `"`, `\`, newline, carriage return and tab always get their short escapes; `escape` decides every
    /// other scalar (return `nil` to keep it as is).
    public static func quoted(_ text: String, escape: (Unicode.Scalar) -> String?) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if let escaped = escape(scalar) { out += escaped } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// `\uXXXX` with at least four hex digits.
    public static func unicodeEscape(_ scalar: Unicode.Scalar, uppercase: Bool) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: uppercase)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A JSON string literal the way Go's `encoding/json` writes it: HTML-safe (`<`, `>`, `&`, U+2028,
    /// U+2029 escaped), other controls as `\u00XX`, `/` and non-ASCII as they are.
    public static func jsonString(_ text: String) -> String {
        quoted(text) { scalar in
            switch scalar {
            case "<", ">", "&", "\u{2028}", "\u{2029}": unicodeEscape(scalar, uppercase: false)
            default: scalar.value < 0x20 ? unicodeEscape(scalar, uppercase: false) : nil
            }
        }
    }

    /// The text of an `errno` value, the one formatter for system errors: Go's wording by default
    /// (`no such file or directory`, `file exists`); `capitalized` keeps glibc's `strerror` capital
    /// (`No such file or directory`) for messages that have always carried it.
    public static func errno(_ code: Int32, capitalized: Bool = false) -> String {
        let text = String(cString: strerror(code))
        guard !capitalized, let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
