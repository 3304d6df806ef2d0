import FleetCore
import Foundation

/// A go-getter `?checksum=[type:]<hex>` value: md5, sha1, sha256 or sha512, the type guessed from the
/// length when omitted.
struct Checksum: Equatable {
    /// The hash function.
    var algorithm: FileDigest.Algorithm
    /// The expected digest, lowercase hex.
    var expected: String

    /// Parses `[type:]hex`.
    ///
    /// - Throws: ``AgentError`` `unsupported checksum type: <type>`.
    init(_ text: String) throws(AgentError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let hex = (parts.count == 2 ? parts[1] : parts.first ?? "").lowercased()
        let kind = parts.count == 2 ? parts[0].lowercased() : Self.guessKind(hex)
        guard let algorithm = FileDigest.Algorithm(rawValue: kind) else {
            throw AgentError(.download, "unsupported checksum type: \(kind)")
        }
        self.algorithm = algorithm
        self.expected = hex
    }

    /// Checks the file at `path`, streaming it (never loaded whole).
    ///
    /// Blocking file I/O: call it off the cooperative pool.
    /// - Throws: ``AgentError`` `Checksums did not match for <type>. Expected: … Got: …`, or one naming
    ///   the file when it cannot be read.
    func verify(file path: String) throws(AgentError) {
        let actual: String
        do {
            actual = try FileDigest.hex(algorithm, ofFile: path)
        } catch {
            throw AgentError(.download, "cannot read downloaded file \(path): \(error.message)")
        }
        try compare(actual)
    }

    /// Checks bytes already in memory.
    ///
    /// - Throws: ``AgentError`` `Checksums did not match for <type>. Expected: … Got: …`.
    func verify(_ data: Data) throws(AgentError) {
        try compare(FileDigest.hex(algorithm, of: data))
    }

    private func compare(_ actual: String) throws(AgentError) {
        if actual != expected {
            throw AgentError(
                .download,
                "Checksums did not match for \(algorithm.rawValue). Expected: \(expected) Got: \(actual)"
            )
        }
    }

    private static func guessKind(_ hex: String) -> String {
        switch hex.count {
        case 32: "md5"
        case 40: "sha1"
        case 128: "sha512"
        default: "sha256"
        }
    }
}
