public import Foundation

/// The one shape of the agent's one-line JSON documents (state files, `backups --json`,
/// `backups --estimate --json`, backup manifests): snake_case keys, sorted, slashes unescaped.
///
/// ```swift
/// let data = try AgentJSON.encoder.encode(estimate)
/// let back = try AgentJSON.decoder.decode(BackupEstimate.self, from: data)
/// ```
public enum AgentJSON {
    /// A fresh encoder for the shape.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A fresh decoder for documents of the shape.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
