/// Expands Ansible host ranges: `sentry-[01:04]`, `node-[a:c]`, `db-[1:10:2]`, several per name.
///
/// Numeric ranges keep zero padding when the start is written with a leading zero (`[01:10]` gives
/// `01`…`10`, and then both ends must have the same width); letter ranges take single letters; an
/// optional third part is the stride. A bracket without a `:` inside is not a range and stays as
/// written. Ranges that count down, mix letters and digits, or have a stride below 1 are errors.
enum InventoryHostRange {
    /// Expands every range in `pattern`; `location` points at the pattern's first character.
    static func expand(_ pattern: String, at location: InventorySourceLocation) throws(InventoryError) -> [String] {
        let chars = Array(pattern)
        guard let open = chars.firstIndex(of: "["),
            let close = chars[open...].firstIndex(of: "]"),
            chars[open..<close].contains(":")
        else {
            return [pattern]
        }
        var bracketLocation = location
        bracketLocation.column += open
        let head = String(chars[..<open])
        let body = String(chars[(open + 1)..<close])
        let tails = try expand(String(chars[(close + 1)...]), at: location)
        let items = try items(of: body, pattern: pattern, at: bracketLocation)
        return items.flatMap { item in tails.map { head + item + $0 } }
    }

    private static func items(
        of body: String, pattern: String, at location: InventorySourceLocation
    ) throws(InventoryError)
        -> [String]
    {
        func bad(_ reason: String) -> InventoryError {
            InventoryError(.badRange, at: location, "bad host range '[\(body)]' in '\(pattern)': \(reason)")
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw bad("write [start:end] or [start:end:stride]")
        }
        let begin = parts[0].isEmpty ? "0" : parts[0]
        let end = parts[1]
        guard !end.isEmpty else { throw bad("the end is missing") }
        var stride = 1
        if parts.count == 3 {
            guard let value = Int(parts[2]), value >= 1 else {
                throw bad("the stride must be a whole number of at least 1")
            }
            stride = value
        }

        if let first = Int(begin), let last = Int(end), begin.allSatisfy(\.isASCII), end.allSatisfy(\.isASCII) {
            guard first >= 0, last >= 0 else { throw bad("numbers must not be negative") }
            let padded = begin.count > 1 && begin.hasPrefix("0")
            if padded && begin.count != end.count {
                throw bad("a zero-padded start needs an end of the same width (\(begin.count) digits)")
            }
            guard first <= last else { throw bad("it counts down; write [\(end):\(begin)]") }
            return Swift.stride(from: first, through: last, by: stride).map { number in
                let text = String(number)
                return padded ? String(repeating: "0", count: max(0, begin.count - text.count)) + text : text
            }
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard begin.count == 1, end.count == 1,
            let first = letters.firstIndex(of: Character(begin)),
            let last = letters.firstIndex(of: Character(end))
        else {
            throw bad("use two numbers or two single letters")
        }
        guard first <= last else { throw bad("it counts down; write [\(end):\(begin)]") }
        return Swift.stride(from: first, through: last, by: stride).map { String(letters[$0]) }
    }

    /// Splits `host:port` as Ansible does in both formats (not IPv6 addresses, which have several
    /// colons, nor the colons inside a range).
    static func splitPort(_ word: String) -> (host: String, port: String?) {
        var depth = 0
        var colons: [String.Index] = []
        for index in word.indices {
            switch word[index] {
            case "[": depth += 1
            case "]": depth -= 1
            case ":" where depth == 0: colons.append(index)
            default: break
            }
        }
        guard colons.count == 1, let colon = colons.first, colon != word.startIndex else { return (word, nil) }
        let port = word[word.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else { return (word, nil) }
        return (String(word[..<colon]), String(port))
    }
}
