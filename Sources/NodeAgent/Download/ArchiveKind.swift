import Foundation

/// Archive formats recognised by extension or `?archive=`.
enum ArchiveKind: Equatable {
    case zip, tar, tarGzip

    /// The kind for a reference, `nil` for a plain file (or `archive=false`).
    init?(_ reference: String) {
        let explicit = URLComponents(string: reference)?.queryItems?.first { $0.name == "archive" }?.value
        let path = (URLComponents(string: reference)?.path ?? reference).lowercased()
        switch explicit ?? "" {
        case "false": return nil
        case "zip": self = .zip
        case "tar": self = .tar
        case "tar.gz", "tgz": self = .tarGzip
        default:
            if path.hasSuffix(".zip") {
                self = .zip
            } else if path.hasSuffix(".tar.gz") || path.hasSuffix(".tgz") {
                self = .tarGzip
            } else if path.hasSuffix(".tar") {
                self = .tar
            } else {
                return nil
            }
        }
    }
}
