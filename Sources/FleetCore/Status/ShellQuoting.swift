import Foundation

/// Quotes `text` for a POSIX shell: single quotes, with each `'` written as `'\''`.
func shellQuote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
