import Foundation

/// What we can tell about a private key file without decrypting it: its key type and whether it is encrypted.
///
/// Used to explain failures before libssh2 gives its terse ones: an RSA key (unusable with libssh2
/// 1.10 against OpenSSH ≥ 8.8) or an encrypted key without a passphrase. The CLI can use it to
/// decide whether to prompt for a passphrase before connecting:
///
/// ```swift
/// if target.identityFiles.contains(where: { PrivateKeyInfo.inspect(fileAtPath: $0)?.encrypted == true }) { ... }
/// ```
public struct PrivateKeyInfo: Sendable, Hashable {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …; nil when the format does not say.
    public var keyType: String?
    /// Whether a passphrase is needed.
    public var encrypted: Bool

    /// Whether the key is RSA.
    public var isRSA: Bool { keyType == "ssh-rsa" }

    /// Inspects the private key file at `path`; nil when it is unreadable or not a private key.
    public static func inspect(fileAtPath path: String) -> PrivateKeyInfo? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return inspect(text)
    }

    /// Inspects PEM text of an OpenSSH or legacy PEM private key; nil when it is not one.
    public static func inspect(_ text: String) -> PrivateKeyInfo? {
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            return inspectOpenSSH(text)
        }
        let encrypted = text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY")
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return PrivateKeyInfo(keyType: "ssh-rsa", encrypted: encrypted)
        }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") {
            return PrivateKeyInfo(keyType: "ecdsa", encrypted: encrypted)
        }
        if text.contains("PRIVATE KEY-----") { return PrivateKeyInfo(keyType: nil, encrypted: encrypted) }
        return nil
    }

    /// `openssh-key-v1\0`, string cipher, string kdf, string kdf options, uint32 count, string public key.
    private static func inspectOpenSSH(_ text: String) -> PrivateKeyInfo? {
        let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return nil }
        var reader = SSHWireReader(storage: [UInt8](data))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard reader.take(magic.count) == magic, let cipher = reader.string(), reader.bytes() != nil,
            reader.bytes() != nil, reader.uint32() != nil, let publicKey = reader.bytes()
        else { return nil }
        var keyReader = SSHWireReader(storage: publicKey)
        return PrivateKeyInfo(keyType: keyReader.string(), encrypted: cipher != "none")
    }
}
