import CSSH2
import Foundation

extension LibSSH2Session {
    /// Authenticates `user`: every ssh-agent identity first, then each key file in order.
    ///
    /// Failures are collected into one `.authentication` error that lists what was tried. When the
    /// only keys were RSA, the error is `.rsaUnsupported` and explains the libssh2 1.10 limit.
    func authenticate(
        user: String,
        agentSocket: String?,
        identityFiles: [String],
        passphrase: String?,
        deadline: OperationDeadline
    ) throws(SSHError) {
        var tried: [String] = []
        var rsaRejected = 0
        var otherOffered = 0
        if let agentSocket {
            do {
                let agent = try LibSSH2Agent(session: self, socketPath: agentSocket)
                let identities = agent.identities()
                if identities.isEmpty { tried.append("ssh-agent at \(agentSocket) holds no keys") }
                for identity in identities {
                    let rc = try agent.authenticate(user: user, identity: identity, deadline: deadline)
                    if rc == 0 { return }
                    try rethrowIfFatal(rc, operation: "ssh-agent authentication")
                    if identity.keyType == "ssh-rsa" { rsaRejected += 1 } else { otherOffered += 1 }
                    tried.append("ssh-agent key \(identity.keyType) \(identity.comment) was rejected")
                }
            } catch  where error.code == .authentication {
                tried.append("ssh-agent at \(agentSocket) is unusable (\(error.message))")
            }
        }
        for path in identityFiles {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                tried.append("key file \(path) is missing or unreadable")
                continue
            }
            let info = PrivateKeyInfo.inspect(text)
            if info?.encrypted == true && (passphrase ?? "").isEmpty {
                tried.append("key file \(path) is encrypted and no passphrase was given")
                continue
            }
            // No .pub path: libssh2 then derives the public key from the private one, so a wrong
            // passphrase fails here with LIBSSH2_ERROR_FILE instead of looking like a refused key.
            let rc = try retrying(deadline, operation: "public key authentication") {
                cssh2_userauth_publickey_fromfile(raw, user, nil, path, info?.encrypted == true ? passphrase : nil)
            }
            if rc == 0 { return }
            try rethrowIfFatal(rc, operation: "public key authentication")
            if rc == LIBSSH2_ERROR_FILE {
                throw SSHError(
                    .keyFile, host: host, operation: "public key authentication",
                    message: "cannot use \(path): \(lastError().message)",
                    hint: info?.encrypted == true
                        ? "The passphrase is wrong"
                        : "The file is not a private key libssh2 can read (use ed25519 or ECDSA)",
                    libssh2Code: rc)
            }
            if info?.isRSA == true { rsaRejected += 1 } else { otherOffered += 1 }
            tried.append("key file \(path) (\(info?.keyType ?? "unknown type")) was rejected")
        }
        if rsaRejected > 0 && otherOffered == 0 {
            throw SSHError(
                .rsaUnsupported, host: host, operation: "authentication",
                message: "\(user) could only offer RSA keys, which the server refused: "
                    + tried.joined(separator: "; "),
                hint: "libssh2 1.10 signs RSA keys only with SHA-1 (ssh-rsa), which OpenSSH 8.8 and later refuse. "
                    + "Use an ed25519 or ECDSA key (ssh-keygen -t ed25519) and add it to authorized_keys")
        }
        throw SSHError(
            .authentication, host: host, operation: "authentication",
            message: "no key was accepted for \(user): "
                + (tried.isEmpty ? "no agent and no key file to try" : tried.joined(separator: "; ")),
            hint: "Check that the public key is in the user's authorized_keys on the host, and the user name")
    }

    private func rethrowIfFatal(_ rc: Int32, operation: String) throws(SSHError) {
        if LibSSH2.isFatal(rc) { throw error(rc: rc, operation: operation, code: .authentication) }
    }
}
