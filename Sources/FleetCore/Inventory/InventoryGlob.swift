/// `fnmatch`-style globbing: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`; case-sensitive, whole-name.
enum InventoryGlob {
    static func matches(_ name: [Character], _ pattern: [Character]) -> Bool {
        matches(name[...], pattern[...])
    }

    private static func matches(_ name: ArraySlice<Character>, _ pattern: ArraySlice<Character>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            let rest = pattern.dropFirst()
            var candidate = name
            while true {
                if matches(candidate, rest) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        case "?":
            return !name.isEmpty && matches(name.dropFirst(), pattern.dropFirst())
        case "[":
            guard let close = pattern.dropFirst(2).firstIndex(of: "]") else {
                return name.first == "[" && matches(name.dropFirst(), pattern.dropFirst())
            }
            guard let char = name.first else { return false }
            var set = pattern[(pattern.startIndex + 1)..<close]
            let negated = set.first == "!"
            if negated { set = set.dropFirst() }
            var found = false
            var index = set.startIndex
            while index < set.endIndex {
                if index + 2 < set.endIndex, set[index + 1] == "-" {
                    if set[index] <= char && char <= set[index + 2] { found = true }
                    index += 3
                } else {
                    if set[index] == char { found = true }
                    index += 1
                }
            }
            return found != negated && matches(name.dropFirst(), pattern[(close + 1)...])
        default:
            return name.first == first && matches(name.dropFirst(), pattern.dropFirst())
        }
    }
}
