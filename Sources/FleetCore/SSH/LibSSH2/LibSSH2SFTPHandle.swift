import CSSH2
import Foundation

/// Owns one open SFTP file handle; used only on its session's thread.
final class LibSSH2SFTPHandle {
    private let raw: OpaquePointer
    private let sftp: LibSSH2SFTP
    private let path: String
    private var closed = false

    init(raw: OpaquePointer, sftp: LibSSH2SFTP, path: String) {
        self.raw = raw
        self.sftp = sftp
        self.path = path
    }

    deinit {
        guard !closed, sftp.session.broken == nil else { return }
        let deadline = OperationDeadline(after: .seconds(2))
        _ = try? sftp.session.retrying(deadline, operation: "close \(path)") { cssh2_sftp_close(raw) }
    }

    /// Hands `bytes` to `libssh2_sftp_write` once and returns how many bytes the server acknowledged.
    ///
    /// libssh2 1.10 sends ahead of the acknowledgements: the caller must pass the unacknowledged
    /// bytes again, unchanged, at the start of the next call (more may follow them). Returns 0 when
    /// nothing was acknowledged yet; the caller then waits on the socket.
    func writeOnce(_ bytes: UnsafeRawBufferPointer) throws(SSHError) -> Int {
        let rc = libssh2_sftp_write(raw, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
        if rc >= 0 { return rc }
        if rc == Int(LIBSSH2_ERROR_EAGAIN) { return 0 }
        throw sftp.error(rc: Int32(rc), operation: "write", path: path)
    }

    /// Throws `.cancelled` once the task is cancelled, for a write loop that is not waiting.
    func throwIfCancelled(_ deadline: OperationDeadline) throws(SSHError) {
        try sftp.session.throwIfCancelled(deadline, operation: "transfer \(path)")
    }

    /// Waits for the socket on behalf of a write or read loop.
    func wait(_ deadline: OperationDeadline) throws(SSHError) {
        try sftp.session.waitSocket(deadline, operation: "transfer \(path)")
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: OperationDeadline) throws(SSHError) -> Int {
        let rc = try sftp.session.retrying(deadline, operation: "read \(path)") {
            Int32(
                clamping: libssh2_sftp_read(raw, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count))
        }
        guard rc >= 0 else { throw sftp.error(rc: rc, operation: "read", path: path) }
        return Int(rc)
    }

    /// Asks the server to `fsync` the file (`fsync@openssh.com`).
    func fsync(_ deadline: OperationDeadline) throws(SSHError) {
        let rc = try sftp.session.retrying(deadline, operation: "fsync \(path)") { cssh2_sftp_fsync(raw) }
        guard rc == 0 else { throw sftp.error(rc: rc, operation: "fsync", path: path) }
    }

    /// Sets the permission bits exactly (the create mode is reduced by the server's umask).
    func setPermissions(_ mode: UInt32, deadline: OperationDeadline) throws(SSHError) {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        let rc = try sftp.session.retrying(deadline, operation: "chmod \(path)") {
            libssh2_sftp_fstat_ex(raw, &attributes, 1)
        }
        guard rc == 0 else { throw sftp.error(rc: rc, operation: "chmod", path: path) }
    }

    /// Closes the handle; the server reports write errors it deferred here.
    func close(_ deadline: OperationDeadline) throws(SSHError) {
        let rc = try sftp.session.retrying(deadline, operation: "close \(path)") { cssh2_sftp_close(raw) }
        closed = true
        guard rc == 0 else { throw sftp.error(rc: rc, operation: "close", path: path) }
    }
}

@available(*, unavailable)
extension LibSSH2SFTPHandle: Sendable {}
