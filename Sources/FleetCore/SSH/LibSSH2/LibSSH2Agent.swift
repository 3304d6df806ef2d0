import CSSH2

/// Owns one `LIBSSH2_AGENT` connection to an ssh-agent socket; used only on its session's thread.
final class LibSSH2Agent {
    /// One identity the agent holds.
    struct Identity {
        /// libssh2's handle for it, valid while the agent lives.
        let pointer: UnsafeMutablePointer<libssh2_agent_publickey>
        /// The key type from the public blob (`ssh-ed25519`, `ssh-rsa`, …).
        let keyType: String
        /// The agent's comment for the key.
        let comment: String
    }

    private let raw: OpaquePointer
    private let session: LibSSH2Session
    private var connected = false

    /// Connects to the agent at `socketPath` and lists its identities.
    init(session: LibSSH2Session, socketPath: String) throws(SSHError) {
        guard let raw = libssh2_agent_init(session.raw) else {
            throw session.error(rc: LIBSSH2_ERROR_ALLOC, operation: "ssh-agent", code: .authentication)
        }
        self.raw = raw
        self.session = session
        libssh2_agent_set_identity_path(raw, socketPath)
        try LibSSH2.check(
            libssh2_agent_connect(raw), session: session, operation: "ssh-agent connect", code: .authentication,
            hint: "Check that SSH_AUTH_SOCK points at a running ssh-agent")
        connected = true
        try LibSSH2.check(
            libssh2_agent_list_identities(raw), session: session, operation: "ssh-agent list", code: .authentication)
    }

    deinit {
        if connected { libssh2_agent_disconnect(raw) }
        libssh2_agent_free(raw)
    }

    /// Every identity the agent offers, in its order.
    func identities() -> [Identity] {
        var result: [Identity] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var store: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(raw, &store, previous) == 0, let identity = store else { break }
            let blob = Array(UnsafeBufferPointer(start: identity.pointee.blob, count: identity.pointee.blob_len))
            var reader = SSHWireReader(storage: blob)
            result.append(
                Identity(
                    pointer: identity, keyType: reader.string() ?? "unknown",
                    comment: identity.pointee.comment.map { String(cString: $0) } ?? ""))
            previous = identity
        }
        return result
    }

    /// Tries to authenticate `user` with `identity`; returns libssh2's code (0 on success).
    func authenticate(user: String, identity: Identity, deadline: OperationDeadline) throws(SSHError) -> Int32 {
        try session.retrying(deadline, operation: "ssh-agent authentication") {
            libssh2_agent_userauth(raw, user, identity.pointer)
        }
    }
}

@available(*, unavailable)
extension LibSSH2Agent: Sendable {}
