import Foundation

/// System error texts the way Go prints them (`no such file or directory`, `file exists`), so messages
/// match cosmovisor's byte for byte. glibc's `strerror` capitalises the first letter; Go does not.
public enum GoErrorText {
    /// The Go text of an `errno` value.
    public static func errno(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
