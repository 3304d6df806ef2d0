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
        var reader = SSHWireReader(storage: [UInt8](blob))
        guard let type = reader.string(), !type.isEmpty else { return nil }
        self.init(type: type, blob: blob)
    }

    /// The fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    /// The known_hosts form of the key: `type base64`.
    public var knownHostsText: String { "\(type) \(blob.base64EncodedString())" }
}
