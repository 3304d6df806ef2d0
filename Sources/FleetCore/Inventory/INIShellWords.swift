/// Splits an INI line into words the way Python's `shlex.split(line, comments=True)` does, which is
/// what Ansible's INI inventory plugin uses.
///
/// Rules: blanks separate words; `'…'` is literal; `"…"` allows the `\"` and `\\` escapes;
/// a backslash outside quotes escapes the next character; an unquoted `#` starts a comment, even
/// inside a word (`a=b#c` is the word `a=b`), as in shlex.
/// Quotes may appear inside a word (`k="a b"` is the word `k=a b`). With `comments: false`, `#` is an
/// ordinary character, as in `shlex.split(text)` (how Ansible splits `ansible_ssh_common_args`).
enum INIShellWords {
    /// One word and the 1-based column where it starts.
    struct Word: Sendable, Hashable {
        var text: String
        var column: Int
        /// Whether any part of the word was quoted (so `""` is an empty word, not nothing).
        var quoted: Bool
    }

    /// The words of a line, and the column of a trailing comment if there is one.
    struct Split: Sendable, Hashable {
        var words: [Word]
        var commentColumn: Int?
    }

    /// A quote that is never closed: where it opened and the word read so far.
    struct UnterminatedQuote: Error, Sendable, Hashable {
        var column: Int
        var partialWord: String
    }

    /// Splits `line`; `firstColumn` is the column of `line`'s first character in the file.
    static func split(
        _ line: some StringProtocol, firstColumn: Int = 1, comments: Bool = true
    ) throws(UnterminatedQuote) -> Split {
        let chars = Array(line)
        var words: [Word] = []
        var current: String?
        var start = 0
        var quoted = false
        var index = 0

        func finish() {
            if let text = current {
                words.append(Word(text: text, column: firstColumn + start, quoted: quoted))
            }
            current = nil
            quoted = false
        }

        while index < chars.count {
            let char = chars[index]
            if current == nil {
                if char == " " || char == "\t" {
                    index += 1
                    continue
                }
                if char == "#" && comments {
                    return Split(words: words, commentColumn: firstColumn + index)
                }
                current = ""
                start = index
            }
            switch char {
            case " ", "\t":
                finish()
                index += 1
            case "'":
                quoted = true
                guard let close = chars[(index + 1)...].firstIndex(of: "'") else {
                    throw UnterminatedQuote(column: firstColumn + index, partialWord: current ?? "")
                }
                current? += String(chars[(index + 1)..<close])
                index = close + 1
            case "\"":
                quoted = true
                let open = index
                index += 1
                var closed = false
                while index < chars.count {
                    let inner = chars[index]
                    if inner == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    if inner == "\\", index + 1 < chars.count, "\"\\".contains(chars[index + 1]) {
                        current?.append(chars[index + 1])
                        index += 2
                        continue
                    }
                    current?.append(inner)
                    index += 1
                }
                if !closed {
                    throw UnterminatedQuote(column: firstColumn + open, partialWord: current ?? "")
                }
            case "\\":
                if index + 1 < chars.count {
                    current?.append(chars[index + 1])
                    index += 2
                } else {
                    index += 1
                }
            case "#" where comments:
                finish()
                return Split(words: words, commentColumn: firstColumn + index)
            default:
                current?.append(char)
                index += 1
            }
        }
        finish()
        return Split(words: words, commentColumn: nil)
    }
}
