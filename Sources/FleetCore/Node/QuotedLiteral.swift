/// Double-quoted string literals as Go, JSON and TOML write them.
///
/// `"`, `\`, newline, carriage return and tab always get their short escapes; `escape` decides every
/// other scalar (return `nil` to keep it as is). Each format differs only there.
public enum QuotedLiteral {
    /// `text` between double quotes, escaped.
    public static func quote(_ text: String, escape: (Unicode.Scalar) -> String?) -> String {
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
}
