public import Foundation
import Crypto

/// A public host key as it travels in SSH: the algorithm name and the wire-format blob.
public struct SSHHostKey: Sendable, Hashable {
    /// The key type, such as `ssh-ed25519` or `ecdsa-sha2-nistp256`.
    public var type: String
    /// The public key blob (what known_hosts stores in base64).
    public var blob: Data

    /// Creates a key from its type and blob.
    public init(type: String, blob: Data) {
        self.type = type
        self.blob = blob
    }

    /// Creates a key from a wire blob, reading the type from its first string; nil when malformed.
    public init?(blob: Data) {
        guard let type = SSHHostKey.leadingString(blob) else { return nil }
        self.init(type: type, blob: blob)
    }

    /// The fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    /// The known_hosts form of the key: `type base64`.
    public var knownHostsText: String { "\(type) \(blob.base64EncodedString())" }

    /// Reads the SSH `string` at the start of `data` (uint32 length, then bytes) as UTF-8.
    static func leadingString(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(4 + 64))
        guard bytes.count >= 4 else { return nil }
        let length = bytes[0..<4].reduce(0) { ($0 << 8) | Int($1) }
        guard length > 0, length <= 64, bytes.count >= 4 + length else { return nil }
        return String(bytes: bytes[4..<(4 + length)], encoding: .utf8)
    }
}
