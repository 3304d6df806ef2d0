/// The entries of an archive as `tar -tvf` or `zipinfo` lists them, checked before anything is extracted.
///
/// Pure: parses the listing tools' text. Names come from the one-name-per-line listing (`tar -tf`,
/// `unzip -Z1`), types and sizes from the verbose one (`tar -tvf`, `unzip -Zs`), which lists the same
/// entries in the same order.
struct ArchiveListing: Equatable {
    /// One archive member.
    struct Entry: Equatable {
        /// What a member is, from the first letter of its `ls -l` style mode.
        enum Kind: Equatable {
            case file, directory, symbolicLink, hardLink
            /// Devices, FIFOs, sockets and anything else: the letter shown.
            case special(Character)
        }

        /// The member's path as stored.
        var name: String
        var kind: Kind
        /// Its uncompressed size in bytes (0 when the listing shows none).
        var size: Int64
    }

    /// The members in archive order.
    var entries: [Entry]

    /// Parses `tar -tf` (`names`) and `tar -tvf` (`verbose`) output of the same archive.
    ///
    /// - Throws: ``AgentError`` when the two listings disagree or a line cannot be read.
    static func tar(names: String, verbose: String, reference: String) throws(AgentError) -> ArchiveListing {
        // `<mode> <owner>/<group> <size> <date> <time> <name…>`; the size is a "major,minor" pair for devices.
        try combine(names: names, verbose: verbose, reference: reference, sizeColumn: 2)
    }

    /// Parses `unzip -Z1` (`names`) and `unzip -Zs <archive> '*'` (`verbose`) output of the same archive.
    ///
    /// - Throws: ``AgentError`` when the two listings disagree or a line cannot be read.
    static func zip(names: String, verbose: String, reference: String) throws(AgentError) -> ArchiveListing {
        // `<mode> <version> <os> <size> <tx|bx> <method> <date> <time> <name…>`.
        try combine(names: names, verbose: verbose, reference: reference, sizeColumn: 3)
    }

    private static func combine(
        names: String,
        verbose: String,
        reference: String,
        sizeColumn: Int
    ) throws(AgentError) -> ArchiveListing {
        let nameLines = lines(names)
        let verboseLines = lines(verbose)
        guard nameLines.count == verboseLines.count else {
            throw AgentError(
                .download,
                "archive \(GoDuration.goQuote(reference)): its listings disagree (\(nameLines.count) names, "
                    + "\(verboseLines.count) entries); refused before extraction"
            )
        }
        var entries: [Entry] = []
        for (name, line) in Swift.zip(nameLines, verboseLines) {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count > sizeColumn, let letter = columns[0].first else {
                throw AgentError(
                    .download,
                    "archive \(GoDuration.goQuote(reference)): unreadable listing line \(GoDuration.goQuote(line))"
                )
            }
            let kind: Entry.Kind =
                switch letter {
                case "-": .file
                case "d": .directory
                case "l": .symbolicLink
                case "h": .hardLink
                default: .special(letter)
                }
            entries.append(Entry(name: name, kind: kind, size: Int64(columns[sizeColumn]) ?? 0))
        }
        return ArchiveListing(entries: entries)
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Refuses links, special files, absolute names, names with a `..` component, and a total size over
    /// `maxBytes`, naming the first offending entry.
    ///
    /// - Throws: ``AgentError`` `archive "<url>": entry "<name>" is a symbolic link; refused before extraction`
    ///   and the like.
    func check(maxBytes: Int64, reference: String) throws(AgentError) {
        let archive = "archive \(GoDuration.goQuote(reference))"
        var total: Int64 = 0
        for entry in entries {
            let name = GoDuration.goQuote(entry.name)
            let problem: String? =
                switch entry.kind {
                case .file, .directory: nil
                case .symbolicLink: "is a symbolic link"
                case .hardLink: "is a hard link"
                case .special(let letter): "is not a regular file or directory (type \(letter))"
                }
            if let problem {
                throw AgentError(.download, "\(archive): entry \(name) \(problem); refused before extraction")
            }
            if entry.name.hasPrefix("/") || entry.name.hasPrefix("\\") {
                throw AgentError(.download, "\(archive): entry \(name) is an absolute path; refused before extraction")
            }
            let components = entry.name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
            if components.contains("..") {
                throw AgentError(.download, "\(archive): entry \(name) contains \"..\"; refused before extraction")
            }
            total += max(entry.size, 0)
            if total > maxBytes {
                throw AgentError(
                    .download,
                    "\(archive): more than \(maxBytes) bytes once extracted (NODE_AGENT_MAX_DOWNLOAD_BYTES); "
                        + "refused before extraction"
                )
            }
        }
    }
}
