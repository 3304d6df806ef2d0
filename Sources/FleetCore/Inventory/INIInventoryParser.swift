/// Reads Ansible's INI inventory format into an ``InventoryDocument``.
///
/// Supported, as in Ansible's `ini` plugin: sections `[g]` (also `[g:hosts]`), `[g:vars]` and
/// `[g:children]`; host lines `name k=v k="quoted v"` split like `shlex`; `name:port`; host ranges;
/// `#` and `;` comment lines; host lines before any section belong to `ungrouped`.
/// In `[g:vars]` each line is `key = value`; a value that starts with a quote is read like a shell word
/// (`"a b"` gives `a b`); any other value is taken as written (`it's` stays `it's`). A ` #` outside
/// quotes starts a comment in both.
struct INIInventoryParser {
    private enum Section {
        case hosts(String)
        case children(String)
        case vars(String)
    }

    private let file: String
    private var document: InventoryDocument
    private var section: Section = .hosts("ungrouped")
    /// `[g:vars]` headers, checked at the end against the groups defined anywhere in the file.
    private var varsOnly: [(group: String, location: InventorySourceLocation)] = []
    /// Groups defined by a `[g]` or `[g:children]` header or a `children` entry.
    private var definedGroups: Set<String> = ["all", "ungrouped"]

    private init(file: String) {
        self.file = file
        self.document = InventoryDocument(file: file)
    }

    /// Parses INI `text`; `file` names it in errors.
    static func parse(_ text: String, file: String) throws(InventoryError) -> InventoryDocument {
        var parser = INIInventoryParser(file: file)
        var lineNumber = 0
        // `\r\n` is one Character in Swift, so split on any newline Character, as libyaml counts lines; a
        // byte-order mark from Windows editors is dropped.
        let body = text.first == "\u{FEFF}" ? text.dropFirst() : Substring(text)
        for line in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            try parser.consume(line, lineNumber: lineNumber)
        }
        for pending in parser.varsOnly where !parser.isDefined(pending.group) {
            throw InventoryError(
                .undefinedGroup, at: pending.location,
                "[\(pending.group):vars] sets variables for group '\(pending.group)', which no section or children list defines"
            )
        }
        return parser.document
    }

    private func isDefined(_ group: String) -> Bool {
        definedGroups.contains(group)
    }

    private mutating func consume(_ line: Substring, lineNumber: Int) throws(InventoryError) {
        guard let firstIndex = line.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return }
        let first = line[firstIndex]
        if first == "#" || first == ";" { return }
        let column = line.distance(from: line.startIndex, to: firstIndex) + 1
        let location = InventorySourceLocation(file: file, line: lineNumber, column: column)
        let content = line[firstIndex...]
        if first == "[" {
            section = try sectionHeader(content, at: location)
            return
        }
        switch section {
        case .hosts(let group): try hostLine(content, group: group, at: location)
        case .children(let group): try childLine(content, group: group, at: location)
        case .vars(let group): try varsLine(content, group: group, at: location)
        }
    }

    // MARK: - Section headers

    /// Returns the section a header line opens; like Ansible, any line starting with `[` is a header.
    private mutating func sectionHeader(
        _ content: Substring, at location: InventorySourceLocation
    ) throws(InventoryError)
        -> Section
    {
        var text = content
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        guard text.hasSuffix("]") else {
            throw InventoryError(.malformedLine, at: location, "section header '\(content)' does not end with ']'")
        }
        let inner = text.dropFirst().dropLast()
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" || $0 == "[" || $0 == "]" }) else {
            throw InventoryError(.malformedLine, at: location, "'\(text)' is not a valid section header")
        }
        let kind = parts.count > 1 ? String(parts[1]) : "hosts"
        switch kind {
        case "hosts":
            document.defineGroup(name)
            definedGroups.insert(name)
            return .hosts(name)
        case "children":
            document.defineGroup(name)
            definedGroups.insert(name)
            return .children(name)
        case "vars":
            varsOnly.append((name, location))
            return .vars(name)
        default:
            var typeLocation = location
            typeLocation.column += name.count + 2
            throw InventoryError(
                .unknownSectionType, at: typeLocation,
                "unknown section type '\(kind)' in '\(text)'; expected vars, children or hosts"
            )
        }
    }

    // MARK: - Lines inside sections

    private mutating func hostLine(
        _ content: Substring, group: String, at location: InventorySourceLocation
    )
        throws(InventoryError)
    {
        let words = try split(content, at: location).words
        guard let patternWord = words.first else { return }
        var wordLocation = location
        wordLocation.column = patternWord.column
        let (pattern, port) = InventoryHostRange.splitPort(patternWord.text)
        var vars: [String: InventoryVariable] = [:]
        if let port {
            vars["ansible_port"] = InventoryVariable(value: port, location: wordLocation)
        }
        var seen: Set<String> = []
        for word in words.dropFirst() {
            var at = location
            at.column = word.column
            guard let equals = word.text.firstIndex(of: "="), equals != word.text.startIndex else {
                throw InventoryError(
                    .malformedLine, at: at,
                    "expected key=value after host '\(patternWord.text)', found '\(word.text)'"
                )
            }
            let key = String(word.text[..<equals])
            guard seen.insert(key).inserted else {
                throw InventoryError(.duplicateVariable, at: at, "variable '\(key)' is set twice for host '\(pattern)'")
            }
            vars[key] = InventoryVariable(value: String(word.text[word.text.index(after: equals)...]), location: at)
        }
        for host in try InventoryHostRange.expand(pattern, at: wordLocation) {
            document.addHost(host, to: group, vars: vars)
        }
    }

    private mutating func childLine(
        _ content: Substring, group: String, at location: InventorySourceLocation
    )
        throws(InventoryError)
    {
        let words = try split(content, at: location).words
        guard words.count == 1, let child = words.first?.text, !child.isEmpty else {
            throw InventoryError(.malformedLine, at: location, "expected one group name in [\(group):children]")
        }
        document.addChild(child, to: group, at: location)
        definedGroups.insert(child)
    }

    private mutating func varsLine(
        _ content: Substring, group: String, at location: InventorySourceLocation
    )
        throws(InventoryError)
    {
        guard let equals = content.firstIndex(of: "=") else {
            throw InventoryError(
                .malformedLine, at: location, "expected key=value in [\(group):vars], found '\(content)'")
        }
        let key = content[..<equals].trimmingInventoryBlanks()
        guard !key.isEmpty, !key.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw InventoryError(
                .malformedLine, at: location, "expected key=value in [\(group):vars], found '\(content)'")
        }
        let raw = content[content.index(after: equals)...]
        let quoted = raw.trimmingInventoryBlanks().first.map { $0 == "\"" || $0 == "'" } ?? false
        let rest = raw[..<Self.commentStart(in: raw, honoringQuotes: quoted)]
        var value = rest.trimmingInventoryBlanks()
        if quoted {
            let valueColumn = location.column + content.distance(from: content.startIndex, to: equals) + 1
            do {
                let words = try INIShellWords.split(rest, firstColumn: valueColumn).words
                if words.count == 1, let word = words.first { value = word.text }
            } catch {
                throw InventoryError(
                    .unterminatedQuote,
                    at: InventorySourceLocation(file: file, line: location.line, column: error.column),
                    "unterminated quote in value of '\(key)'"
                )
            }
        }
        document.setGroupVariable(key, InventoryVariable(value: value, location: location), in: group)
    }

    // MARK: - Helpers

    private func split(
        _ content: Substring, at location: InventorySourceLocation
    ) throws(InventoryError) -> INIShellWords.Split {
        do {
            return try INIShellWords.split(content, firstColumn: location.column)
        } catch {
            let partial = error.partialWord
            let subject =
                partial.firstIndex(of: "=").map { "value of '\(partial[..<$0])'" } ?? "'\(partial)'"
            throw InventoryError(
                .unterminatedQuote, at: InventorySourceLocation(file: file, line: location.line, column: error.column),
                "unterminated quote in \(subject)"
            )
        }
    }

    /// Where a `[g:vars]` value's comment starts: the first `#` (outside quotes when `honoringQuotes`)
    /// that begins the value or follows a blank, so `url=http://h/#x` keeps its `#`; the end of `text`
    /// when there is none. Ansible keeps such a comment when the value is not a Python literal; we drop it.
    static func commentStart(in text: Substring, honoringQuotes: Bool) -> Substring.Index {
        var quote: Character?
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if let open = quote {
                if char == "\\", open == "\"", text.index(after: index) < text.endIndex {
                    index = text.index(after: index)
                } else if char == open {
                    quote = nil
                }
            } else if honoringQuotes, char == "\"" || char == "'" {
                quote = char
            } else if char == "#", previous == " " || previous == "\t" {
                return index
            }
            previous = char
            index = text.index(after: index)
        }
        return text.endIndex
    }
}
