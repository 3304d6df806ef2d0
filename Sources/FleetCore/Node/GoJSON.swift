import Foundation

/// Helpers that reproduce Go `encoding/json` error wording (string quoting is ``GoText/jsonString(_:)``).
enum GoJSON {
    /// A number as Go prints it in an unmarshal error (`1.5`, `1e+30`).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e21 ? String(format: "%.0f", value) : "\(value)"
    }

    /// Go's JSON type word for the value at `key`.
    static func kind<K: CodingKey>(of container: KeyedDecodingContainer<K>, _ key: K) -> String {
        if (try? container.decode(Bool.self, forKey: key)) != nil { return "bool" }
        if (try? container.decode(Double.self, forKey: key)) != nil { return "number" }
        if (try? container.decode(String.self, forKey: key)) != nil { return "string" }
        if (try? container.nestedUnkeyedContainer(forKey: key)) != nil { return "array" }
        return "object"
    }

    /// Go's JSON type word for a whole document.
    static func kind(of decoder: any Decoder) -> String {
        guard let single = try? decoder.singleValueContainer() else { return "array" }
        if single.decodeNil() { return "null" }
        if (try? single.decode(Bool.self)) != nil { return "bool" }
        if (try? single.decode(Double.self)) != nil { return "number" }
        if (try? single.decode(String.self)) != nil { return "string" }
        return "array"
    }

    /// A Go-style message for bytes that are not valid JSON.
    static func syntaxMessage(for data: Data) -> String {
        let trimmed = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "unexpected end of JSON input" }
        var depth = 0
        var inString = false
        var escaped = false
        for character in trimmed.unicodeScalars {
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                continue
            }
            switch character {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]": depth -= 1
            default: break
            }
        }
        if inString || depth > 0 { return "unexpected end of JSON input" }
        return "invalid character in JSON input"
    }
}
