/// An Ansible host pattern, as given to `--limit`: a pure value that selects hosts from an ``Inventory``.
///
/// Syntax (Ansible's):
/// - a host or group name: `sentry-1`, `validators`; `all` and `*` select every host;
/// - a glob over host and group names: `sentry-*`, `val-?`, `node-[ab]`;
/// - a regular expression after `~`, matched from the start of the name: `~(sentry|full)-\d+`;
/// - parts joined by `:` or `,` are a union; a part starting with `&` intersects, with `!` excludes:
///   `sentries:&osmosis`, `all:!validators`.
///
/// Like Ansible, unions are applied first, then intersections, then exclusions, whatever the order
/// written; a pattern of only `&`/`!` parts starts from `all`. A name matches a group first, and hosts
/// are also searched when no group matches or the part is a glob or regex. Unlike Ansible, which only
/// warns, a part that matches nothing is an error naming it, so a typo cannot shrink a rollout.
/// `:` and `,` always separate parts, so a regex cannot contain them.
public struct InventoryPattern: Sendable, Hashable, CustomStringConvertible {
    /// How a part combines with the hosts selected so far.
    public enum Operation: String, Sendable, Hashable {
        /// Adds the part's hosts.
        case union
        /// Keeps only hosts that the part also selects (`&part`).
        case intersection
        /// Removes the part's hosts (`!part`).
        case exclusion
    }

    /// One part of a pattern.
    public struct Term: Sendable, Hashable {
        /// How it combines.
        public let operation: Operation
        /// The name, glob or `~regex`, without `&` or `!`.
        public let text: String
    }

    /// The pattern as written.
    public let text: String
    /// The parts in evaluation order: unions, then intersections, then exclusions.
    public let terms: [Term]

    /// Parses `text`.
    ///
    /// - Throws: ``InventoryError`` with code `invalidPattern` for an empty pattern or part, an
    ///   invalid `~regex`, or an `@file` limit (not supported).
    public init(_ text: String) throws(InventoryError) {
        self.text = text
        var unions: [Term] = []
        var intersections: [Term] = []
        var exclusions: [Term] = []
        let parts = Self.split(text)
        guard !parts.isEmpty else { throw Self.invalid("the --limit pattern is empty") }
        for part in parts {
            var body = Substring(part)
            var operation = Operation.union
            if body.first == "&" {
                operation = .intersection
                body = body.dropFirst()
            } else if body.first == "!" {
                operation = .exclusion
                body = body.dropFirst()
            }
            let name = body.trimmingBlanks()
            guard !name.isEmpty else { throw Self.invalid("'\(part)' in the --limit pattern names nothing") }
            if name.hasPrefix("@") { throw Self.invalid("'\(name)': --limit @file is not supported") }
            if name.hasPrefix("~") {
                do {
                    _ = try Regex(String(name.dropFirst()))
                } catch {
                    throw Self.invalid("'\(name)' is not a valid regular expression: \(error)")
                }
            }
            let term = Term(operation: operation, text: name)
            switch operation {
            case .union: unions.append(term)
            case .intersection: intersections.append(term)
            case .exclusion: exclusions.append(term)
            }
        }
        if unions.isEmpty { unions = [Term(operation: .union, text: "all")] }
        self.terms = unions + intersections + exclusions
    }

    /// The pattern as written.
    public var description: String { text }

    /// The hosts the pattern selects, in inventory order.
    ///
    /// - Throws: ``InventoryError`` with code `noMatch` naming the first part that matches no host or group.
    public func select(from inventory: Inventory) throws(InventoryError) -> [InventoryHost] {
        var selected: Set<String> = []
        for term in terms {
            let matched = try Self.match(term.text, in: inventory)
            guard !matched.isEmpty else {
                throw InventoryError(
                    code: .noMatch, file: "",
                    message: "'\(term.text)' in --limit '\(text)' matches no host in the inventory"
                )
            }
            switch term.operation {
            case .union: selected.formUnion(matched)
            case .intersection: selected.formIntersection(matched)
            case .exclusion: selected.subtract(matched)
            }
        }
        return inventory.hosts.filter { selected.contains($0.name) }
    }

    // MARK: - Matching

    private static func match(_ text: String, in inventory: Inventory) throws(InventoryError) -> Set<String> {
        if text == "all" || text == "*" { return Set(inventory.hosts.map(\.name)) }
        let matches: (String) -> Bool
        let isRegex = text.hasPrefix("~")
        if isRegex {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(String(text.dropFirst()))
            } catch {
                throw invalid("'\(text)' is not a valid regular expression: \(error)")
            }
            matches = { (try? regex.prefixMatch(in: $0)) != nil }
        } else {
            let glob = Array(text)
            matches = { Glob.matches(Array($0), glob) }
        }
        var result: Set<String> = []
        let groups = inventory.groups.keys.filter(matches)
        for group in groups {
            result.formUnion(inventory.hosts(inGroup: group).map(\.name))
        }
        if groups.isEmpty || isRegex || text.contains(where: { ".?*[".contains($0) }) {
            result.formUnion(inventory.hosts.map(\.name).filter(matches))
        }
        return result
    }

    /// Splits on `,` and on `:` outside brackets (so a glob class `[a:c]` stays whole).
    private static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for char in text {
            switch char {
            case "[": depth += 1
            case "]": depth = max(0, depth - 1)
            default: break
            }
            if char == "," || (char == ":" && depth == 0) {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        parts.append(current)
        let trimmed = parts.map { $0.trimmingBlanks() }
        return trimmed.allSatisfy(\.isEmpty) ? [] : trimmed
    }

    private static func invalid(_ message: String) -> InventoryError {
        InventoryError(code: .invalidPattern, file: "", message: message)
    }
}
