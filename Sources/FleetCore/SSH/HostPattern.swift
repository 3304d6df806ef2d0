/// OpenSSH host patterns: `*` and `?` wildcards, `!` negation, comma lists, case-insensitive.
///
/// Used by `Host` lines in ssh_config and by the host field of plain known_hosts entries.
enum HostPattern {
    /// Whether `name` matches the pattern list: no negated pattern matches and at least one positive does.
    static func matches(_ name: String, patterns: [String]) -> Bool {
        let name = Array(name.lowercased().utf8)
        var matched = false
        for raw in patterns where !raw.isEmpty {
            let negated = raw.hasPrefix("!")
            let pattern = Array((negated ? String(raw.dropFirst()) : raw).lowercased().utf8)
            if wildcard(pattern[...], name[...]) {
                if negated { return false }
                matched = true
            }
        }
        return matched
    }

    /// Glob match with `*` (any run) and `?` (one byte), iterative with backtracking to the last star.
    static func wildcard(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: (p: Int, t: Int)?
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = (p, t)
                p += 1
            } else if let last = star {
                p = last.p + 1
                t = last.t + 1
                star = (last.p, last.t + 1)
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
