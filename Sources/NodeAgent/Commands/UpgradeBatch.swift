/// The entries of `add-batch-upgrade`, parsed from `--upgrade-list` or a headerless CSV file (spec §4).
struct UpgradeBatch: Equatable {
    /// One `name:path:height` entry.
    struct Entry: Equatable {
        /// The upgrade name (the last path element of what was given, as cosmovisor takes it).
        var name: String
        /// The executable to stage.
        var executable: String
        /// The upgrade height (> 0).
        var height: Int64
    }

    /// The entries in the order given.
    var entries: [Entry]

    /// Parses `--upgrade-list` values: each value may hold several comma-separated `name:path:height`.
    ///
    /// - Throws: ``AgentError`` `argument at position i (…) is invalid` or
    ///   `upgrade height at position i (…) is invalid`.
    static func parse(list: [String]) throws(AgentError) -> UpgradeBatch {
        let items = list.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var entries: [Entry] = []
        for (index, item) in items.enumerated() {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                throw AgentError(.command, "argument at position \(index) (\(item)) is invalid")
            }
            entries.append(try entry(index, parts))
        }
        return UpgradeBatch(entries: entries)
    }

    /// Parses the CSV text of `--upgrade-file` (3 fields per record, leading spaces trimmed, quotes allowed).
    ///
    /// - Throws: ``AgentError`` `error parsing upgrade CSV file <path>: record on line N: wrong number of fields`
    ///   and the entry errors of ``parse(list:)``.
    static func parse(csv text: String, path: String) throws(AgentError) -> UpgradeBatch {
        let records: [(line: Int, fields: [String])]
        do {
            records = try CSVRecords.parse(text)
        } catch {
            throw AgentError(.command, "error parsing upgrade CSV file \(path): \(error)")
        }
        var entries: [Entry] = []
        for (index, record) in records.enumerated() {
            guard record.fields.count == 3 else {
                throw AgentError(
                    .command,
                    "error parsing upgrade CSV file \(path): record on line \(record.line): wrong number of fields"
                )
            }
            entries.append(try entry(index, record.fields))
        }
        return UpgradeBatch(entries: entries)
    }

    private static func entry(_ index: Int, _ parts: [String]) throws(AgentError) -> Entry {
        let name = parts[0].split(separator: "/").last.map(String.init) ?? parts[0]
        guard let height = Int64(parts[2]), height > 0 else {
            throw AgentError(.command, "upgrade height at position \(index) (\(parts[2])) is invalid")
        }
        return Entry(name: name, executable: parts[1], height: height)
    }
}

/// A small RFC 4180 reader with Go `encoding/csv` habits: empty lines skipped, leading spaces trimmed.
enum CSVRecords {
    /// A syntax error; internal to the reader: ``UpgradeBatch/parse(csv:path:)`` reports it as an ``AgentError``.
    struct SyntaxError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The records with the 1-based line each starts on.
    static func parse(_ text: String) throws(SyntaxError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var fieldStarted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = false
            case _ where character.isNewline:
                if fieldStarted || !fields.isEmpty || !field.isEmpty {
                    fields.append(field)
                    records.append((recordLine, fields))
                }
                fields = []
                field = ""
                fieldStarted = false
                line += 1
                recordLine = line
            case " ", "\t":
                if fieldStarted { field.append(character) }
            default:
                if character == "\"" {
                    throw SyntaxError(description: "parse error on line \(line): bare \" in non-quoted field")
                }
                field.append(character)
                fieldStarted = true
            }
        }
        if inQuotes {
            throw SyntaxError(description: "parse error on line \(line): extraneous or missing \" in quoted-field")
        }
        if fieldStarted || !fields.isEmpty || !field.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}
