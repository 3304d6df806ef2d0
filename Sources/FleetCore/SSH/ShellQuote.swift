/// Quotes strings for a POSIX shell (`sh -c`), the way every remote command we build must.
///
/// Each value is wrapped in single quotes; every `'` byte inside becomes `'\''`. The work is done on
/// UTF-8 bytes, because that is what the shell reads: an apostrophe followed by a combining mark or
/// U+200D is one `Character` but still a `'` byte that would end the quoted word. The result is one
/// shell word whatever the input holds: spaces, newlines, `$()`, backquotes, globs, non-ASCII.
/// NUL bytes cannot travel in an SSH exec request; `SSHConnection.exec` refuses commands holding one.
///
/// ```swift
/// let command = ShellQuote.command(["sha256sum", "--", path])   // sha256sum '--' '/opt/my dir/x'
/// ```
public enum ShellQuote {
    /// One shell word that expands to exactly the UTF-8 bytes of `value`.
    public static func quote(_ value: String) -> String {
        var bytes: [UInt8] = [apostrophe]
        bytes.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            if byte == apostrophe {
                bytes += escapedApostrophe
            } else {
                bytes.append(byte)
            }
        }
        bytes.append(apostrophe)
        // `'` is ASCII and never part of a multi-byte sequence, so the bytes stay valid UTF-8.
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A command line whose words are exactly `argv`, each quoted.
    public static func command(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    private static let apostrophe = UInt8(ascii: "'")
    private static let escapedApostrophe = Array(#"'\''"#.utf8)
}
