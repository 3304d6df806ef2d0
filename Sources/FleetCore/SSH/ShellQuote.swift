/// Quotes strings for a POSIX shell (`sh -c`), the way every remote command we build must.
///
/// Each value is wrapped in single quotes; a single quote inside becomes `'\''`. The result is one
/// shell word whatever the input holds: spaces, newlines, `$()`, backquotes, globs, non-ASCII.
/// NUL bytes cannot travel in an SSH exec request; `SSHConnection.exec` refuses commands holding one.
///
/// ```swift
/// let command = ShellQuote.command(["sha256sum", "--", path])   // sha256sum '--' '/opt/my dir/x'
/// ```
public enum ShellQuote {
    /// One shell word that expands to exactly `value`.
    public static func quote(_ value: String) -> String {
        "'" + value.replacing("'", with: #"'\''"#) + "'"
    }

    /// A command line whose words are exactly `argv`, each quoted.
    public static func command(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }
}
