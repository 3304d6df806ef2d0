/// Reads one setting from an `ansible.cfg`, as Python's `configparser` (Ansible's reader) does.
///
/// Sections are `[name]`; settings are `key = value` or `key: value`, keys case-insensitive; lines starting
/// with `#` or `;` are comments, and so is the rest of a line from a `;` that follows a blank (Ansible's
/// `inline_comment_prefixes`). Indented lines continue the previous value.
enum AnsibleConfig {
    /// The value of `key` in `section`, or nil when it is not set; the last assignment wins.
    static func value(of key: String, in section: String, text: String) -> String? {
        var current: String?
        var found: String?
        var continuing = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingInventoryBlanks()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") {
                continuing = continuing && !line.isEmpty
                continue
            }
            if let first = rawLine.first, first == " " || first == "\t", continuing {
                found = (found ?? "") + "\n" + stripComment(line)
                continue
            }
            continuing = false
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingInventoryBlanks()
                continue
            }
            guard current == section,
                let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let name = line[..<separator].trimmingInventoryBlanks().lowercased()
            guard name == key.lowercased() else { continue }
            found = stripComment(line[line.index(after: separator)...].trimmingInventoryBlanks())
            continuing = true
        }
        return found
    }

    /// `value` without a `;` comment that follows a blank.
    private static func stripComment(_ value: some StringProtocol) -> String {
        var previous: Character = " "
        for index in value.indices {
            if value[index] == ";", previous == " " || previous == "\t" {
                return String(value[..<index]).trimmingInventoryBlanks()
            }
            previous = value[index]
        }
        return String(value)
    }
}
