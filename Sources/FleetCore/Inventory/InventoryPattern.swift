/// An Ansible host pattern, as given to `--limit`: a pure value that selects hosts from an ``Inventory``.
///
/// Syntax (Ansible's):
/// - a host or group name: `sentry-1`, `validators`; `all` and `*` select every host;
/// - a glob over host and group names: `sentry-*`, `val-?`, `node-[ab]`, `node-[!3]`;
/// - a regular expression after `~`, matched from the start of the name: `~(sentry|full)-\d+`;
/// - a subscript on a name or glob, over its hosts in inventory order: `validators[0]`, `sentries[-1]`,
///   `sentries[0:2]` (inclusive), `sentries[2:]`;
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

    /// A subscript on a part, `validators[0]`, `sentries[-1]` or `sentries[1:3]` (inclusive), applied to
    /// the part's hosts in inventory order.
    public enum Slice: Sendable, Hashable {
        /// One host; negative counts from the end.
        case index(Int)
        /// Hosts `from` through `through` inclusive; `nil` runs to the last host.
        case range(from: Int, through: Int?)
    }

    /// One part of a pattern.
    public struct Term: Sendable, Hashable {
        /// How it combines.
        public let operation: Operation
        /// The name, glob or `~regex`, without `&`, `!` or a subscript.
        public let text: String
        /// The subscript, if the part has one (never on a `~regex`).
        public let slice: Slice?
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
            let name = body.trimmingInventoryBlanks()
            guard !name.isEmpty else { throw Self.invalid("'\(part)' in the --limit pattern names nothing") }
            if name.hasPrefix("@") { throw Self.invalid("'\(name)': --limit @file is not supported") }
            if name.hasPrefix("~") {
                do {
                    _ = try Regex(String(name.dropFirst()))
                } catch {
                    throw Self.invalid("'\(name)' is not a valid regular expression: \(error)")
                }
            }
            let (base, slice) = Self.splitSlice(name)
            let term = Term(operation: operation, text: base, slice: slice)
            switch operation {
            case .union: unions.append(term)
            case .intersection: intersections.append(term)
            case .exclusion: exclusions.append(term)
            }
        }
        if unions.isEmpty { unions = [Term(operation: .union, text: "all", slice: nil)] }
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
            var matched = try Self.match(term.text, in: inventory)
            guard !matched.isEmpty else {
                throw InventoryError(
                    code: .noMatch, file: "",
                    message: "'\(term.text)' in --limit '\(text)' matches no host in the inventory"
                )
            }
            if let slice = term.slice {
                let ordered = inventory.hosts.map(\.name).filter(matched.contains)
                matched = Set(Self.apply(slice, to: ordered))
                guard !matched.isEmpty else {
                    throw InventoryError(
                        code: .noMatch, file: "",
                        message:
                            "the subscript of '\(term.text)' in --limit '\(text)' is past its \(ordered.count) hosts"
                    )
                }
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
            matches = { InventoryGlob.matches(Array($0), glob) }
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

    /// Separates a trailing subscript (`[0]`, `[-1]`, `[1:3]`, `[2:]`, `[1-3]`) from a name or glob, as
    /// Ansible does; so, as in Ansible, a glob class of digits only (`n[12]`) is a subscript, and other
    /// classes (`[!3]`, `[sv]`) stay part of the glob.
    private static func splitSlice(_ name: String) -> (String, Slice?) {
        guard !name.hasPrefix("~"), name.hasSuffix("]"), let open = name.lastIndex(of: "["), open != name.startIndex
        else { return (name, nil) }
        let inner = name[name.index(after: open)..<name.index(before: name.endIndex)]
        let base = String(name[..<open])
        let digits = { (text: Substring) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        if let index = Int(inner), digits(inner.drop { $0 == "-" }) {
            return (base, .index(index))
        }
        // `[x-y]` is Ansible's old spelling of `[x:y]`; Ansible still reads it as a subscript.
        let parts = inner.split(maxSplits: 1, omittingEmptySubsequences: false) { $0 == ":" || $0 == "-" }
        guard parts.count == 2, digits(parts[0]), parts[1].isEmpty || digits(parts[1]), let from = Int(parts[0])
        else { return (name, nil) }
        return (base, .range(from: from, through: Int(parts[1])))
    }

    /// Python-style indexing and inclusive slicing, clamped (an index past the end selects nothing).
    private static func apply(_ slice: Slice, to hosts: [String]) -> [String] {
        switch slice {
        case .index(let index):
            let position = index < 0 ? hosts.count + index : index
            return hosts.indices.contains(position) ? [hosts[position]] : []
        case .range(let from, let through):
            let last = min(through ?? hosts.count - 1, hosts.count - 1)
            return from <= last ? Array(hosts[from...last]) : []
        }
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
        let trimmed = parts.map { $0.trimmingInventoryBlanks() }
        return trimmed.allSatisfy(\.isEmpty) ? [] : trimmed
    }

    private static func invalid(_ message: String) -> InventoryError {
        InventoryError(code: .invalidPattern, file: "", message: message)
    }
}
