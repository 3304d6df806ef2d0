import FleetCore

/// The small TOML subset `config.toml` uses: `key = value` lines with basic (`"…"`) or literal (`'…'`)
/// strings, integers, booleans and `#` comments. Tables, arrays and dates are refused with a message.
struct TOMLDocument: Equatable {
    /// A syntax error with its 1-based line; the configuration reports it as an ``AgentError``.
    struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "toml: line \(line): \(message)" }
    }

    /// Values by key, in file order.
    private(set) var entries: [(key: String, value: ConfigValue)] = []

    static func == (lhs: TOMLDocument, rhs: TOMLDocument) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value of `key`, the last one when repeated.
    subscript(key: String) -> ConfigValue? { entries.last { $0.key == key }?.value }

    /// Parses a document.
    ///
    /// - Throws: ``SyntaxError`` for anything outside the subset.
    init(parsing text: String) throws(SyntaxError) {
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        {
            let number = offset + 1
            var line = Substring(rawLine)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.first == "#" { continue }
            if line.first == "[" { throw SyntaxError(line: number, message: "tables are not supported") }
            guard let equals = line.firstIndex(of: "=") else {
                throw SyntaxError(line: number, message: "expected key = value")
            }
            var key = line[..<equals]
            while key.last == " " || key.last == "\t" { key = key.dropLast() }
            if key.hasPrefix("\"") && key.hasSuffix("\"") && key.count >= 2 { key = key.dropFirst().dropLast() }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw SyntaxError(line: number, message: "invalid key \(String(key).debugDescription)")
            }
            var rest = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            let value: ConfigValue
            do {
                value = try Self.value(&rest)
            } catch {
                throw SyntaxError(line: number, message: error.message)
            }
            rest = rest.drop { $0 == " " || $0 == "\t" }
            if !rest.isEmpty && rest.first != "#" {
                throw SyntaxError(line: number, message: "unexpected text after value")
            }
            entries.append((String(key), value))
        }
    }

    /// Creates a document from entries (for writing).
    init(entries: [(key: String, value: ConfigValue)]) { self.entries = entries }

    /// The document as TOML text, one `key = value` line per entry.
    var text: String {
        entries.map { "\($0.key) = \(Self.render($0.value))\n" }.joined()
    }

    private struct ValueError: Error, Sendable { var message: String }

    private static func value(_ text: inout Substring) throws(ValueError) -> ConfigValue {
        guard let first = text.first else { throw ValueError(message: "missing value") }
        switch first {
        case "\"":
            text = text.dropFirst()
            var result = ""
            while let character = text.first {
                text = text.dropFirst()
                if character == "\"" { return .string(result) }
                if character == "\\" {
                    guard let escape = text.first else { break }
                    text = text.dropFirst()
                    switch escape {
                    case "\"": result.append("\"")
                    case "\\": result.append("\\")
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "r": result.append("\r")
                    case "b": result.append("\u{08}")
                    case "f": result.append("\u{0C}")
                    case "u", "U":
                        let count = escape == "u" ? 4 : 8
                        let hex = text.prefix(count)
                        guard hex.count == count, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code)
                        else {
                            throw ValueError(message: "invalid unicode escape")
                        }
                        text = text.dropFirst(count)
                        result.unicodeScalars.append(scalar)
                    default: throw ValueError(message: "invalid escape \\\(escape)")
                    }
                } else {
                    result.append(character)
                }
            }
            throw ValueError(message: "unterminated string")
        case "'":
            text = text.dropFirst()
            guard let end = text.firstIndex(of: "'") else { throw ValueError(message: "unterminated string") }
            let result = String(text[..<end])
            text = text[text.index(after: end)...]
            return .string(result)
        default:
            let token = text.prefix { $0 != " " && $0 != "\t" && $0 != "#" }
            text = text.dropFirst(token.count)
            if token == "true" { return .bool(true) }
            if token == "false" { return .bool(false) }
            let digits = String(token.filter { $0 != "_" })
            if let number = Int64(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits) {
                return .integer(number)
            }
            throw ValueError(message: "unsupported value \(String(token).debugDescription)")
        }
    }

    private static func render(_ value: ConfigValue) -> String {
        switch value {
        case .bool(let flag): return String(flag)
        case .integer(let number): return String(number)
        case .string(let text):
            return GoText.quoted(text) { scalar in
                guard scalar.value < 0x20 || scalar.value == 0x7F || Character(scalar).isNewline else { return nil }
                return GoText.unicodeEscape(scalar, uppercase: true)
            }
        }
    }
}
