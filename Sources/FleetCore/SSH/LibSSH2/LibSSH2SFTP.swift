import CSSH2
import Foundation

/// Owns one `LIBSSH2_SFTP` subsystem channel; used only on its session's thread.
///
/// Paths are passed to libssh2 as UTF-8 C strings (byte lengths via the shim), so spaces and
/// non-ASCII names travel unchanged.
final class LibSSH2SFTP {
    let raw: OpaquePointer
    let session: LibSSH2Session

    /// Starts the SFTP subsystem.
    init(session: LibSSH2Session, deadline: OperationDeadline) throws(SSHError) {
        let pointer = try session.retryingPointer(deadline, operation: "start sftp") { libssh2_sftp_init(session.raw) }
        guard let pointer else {
            throw session.error(
                rc: libssh2_session_last_errno(session.raw), operation: "start sftp", code: .sftp,
                hint: "Check that sshd has `Subsystem sftp` configured")
        }
        self.raw = pointer
        self.session = session
    }

    deinit {
        guard session.broken == nil else { return }
        let deadline = OperationDeadline(after: .seconds(2))
        _ = try? session.retrying(deadline, operation: "stop sftp") { libssh2_sftp_shutdown(raw) }
    }

    // MARK: - Errors

    /// An error for a failed SFTP call on `path`, mapping the server's status (no such file → `.notFound`).
    func error(rc: Int32, operation: String, path: String) -> SSHError {
        guard rc == LIBSSH2_ERROR_SFTP_PROTOCOL else {
            return session.error(rc: rc, operation: "\(operation) \(path)", code: .sftp)
        }
        let status = libssh2_sftp_last_error(raw)
        let (code, text): (SSHError.Code, String) =
            switch status {
            case LIBSSH2_FX_NO_SUCH_FILE, LIBSSH2_FX_NO_SUCH_PATH: (.notFound, "no such file or directory")
            case LIBSSH2_FX_PERMISSION_DENIED: (.sftp, "permission denied")
            case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM, LIBSSH2_FX_QUOTA_EXCEEDED:
                (.sftp, "no space left on the remote disk")
            case LIBSSH2_FX_FILE_ALREADY_EXISTS: (.sftp, "the file already exists")
            default: (.sftp, "the server answered SFTP status \(status)")
            }
        return SSHError(code, host: session.host, operation: "\(operation) \(path)", message: text, libssh2Code: rc)
    }

    // MARK: - Paths

    /// How a file is opened.
    enum OpenMode {
        /// Create; fail if it exists (temp files).
        case createExclusive
        /// Create or truncate.
        case createTruncate
        /// Read only.
        case read

        var flags: Int32 {
            switch self {
            case .createExclusive: LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL
            case .createTruncate: LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC
            case .read: LIBSSH2_FXF_READ
            }
        }
    }

    /// Opens `path`; `mode` applies when the file is created (minus the server's umask).
    func open(
        _ path: String, _ openMode: OpenMode, mode: UInt32, deadline: OperationDeadline
    ) throws(SSHError) -> LibSSH2SFTPHandle {
        let flags = openMode.flags
        let pointer = try session.retryingPointer(deadline, operation: "open \(path)") {
            cssh2_sftp_open(raw, path, UInt(flags), Int(mode))
        }
        guard let pointer else {
            throw error(rc: libssh2_session_last_errno(session.raw), operation: "open", path: path)
        }
        return LibSSH2SFTPHandle(raw: pointer, sftp: self, path: path)
    }

    /// `stat` (follow links) or `lstat`.
    func stat(_ path: String, followLinks: Bool, deadline: OperationDeadline) throws(SSHError) -> SFTPFileAttributes {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        let type = followLinks ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT
        let rc = try session.retrying(deadline, operation: "stat \(path)") {
            cssh2_sftp_stat(raw, path, type, &attributes)
        }
        guard rc == 0 else { throw error(rc: rc, operation: followLinks ? "stat" : "lstat", path: path) }
        return Self.attributes(attributes)
    }

    /// Sets the permission bits of `path`.
    func setPermissions(_ path: String, mode: UInt32, deadline: OperationDeadline) throws(SSHError) {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        let rc = try session.retrying(deadline, operation: "chmod \(path)") {
            cssh2_sftp_stat(raw, path, LIBSSH2_SFTP_SETSTAT, &attributes)
        }
        guard rc == 0 else { throw error(rc: rc, operation: "chmod", path: path) }
    }

    /// Creates one directory.
    func mkdir(_ path: String, mode: UInt32, deadline: OperationDeadline) throws(SSHError) {
        let rc = try session.retrying(deadline, operation: "mkdir \(path)") { cssh2_sftp_mkdir(raw, path, Int(mode)) }
        guard rc == 0 else { throw error(rc: rc, operation: "mkdir", path: path) }
    }

    /// Renames `from` to `to`; fails on OpenSSH when `to` exists (SFTP v3 has no overwrite).
    func rename(_ from: String, to: String, deadline: OperationDeadline) throws(SSHError) {
        let rc = try session.retrying(deadline, operation: "rename \(from)") { cssh2_sftp_rename(raw, from, to) }
        guard rc == 0 else { throw error(rc: rc, operation: "rename to \(to):", path: from) }
    }

    /// Removes a file.
    func unlink(_ path: String, deadline: OperationDeadline) throws(SSHError) {
        let rc = try session.retrying(deadline, operation: "remove \(path)") { cssh2_sftp_unlink(raw, path) }
        guard rc == 0 else { throw error(rc: rc, operation: "remove", path: path) }
    }

    /// The target of symbolic link `path`, as stored (relative targets stay relative).
    ///
    /// Debian 12's libssh2 1.10 misreads the status of failed readlink replies (it reports the
    /// request id), so on failure we `lstat` the path to say what is really wrong.
    func readlink(_ path: String, deadline: OperationDeadline) throws(SSHError) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let rc = try session.retrying(deadline, operation: "readlink \(path)") {
            buffer.withUnsafeMutableBufferPointer {
                cssh2_sftp_symlink(raw, path, $0.baseAddress, UInt32($0.count - 1), LIBSSH2_SFTP_READLINK)
            }
        }
        if rc >= 0 {
            return String(decoding: buffer[0..<Int(rc)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        if rc != LIBSSH2_ERROR_SFTP_PROTOCOL { throw error(rc: rc, operation: "readlink", path: path) }
        let attributes = try stat(path, followLinks: false, deadline: deadline)
        throw SSHError(
            .sftp, host: session.host, operation: "readlink \(path)",
            message: attributes.kind == .symlink ? "the server refused to read the link" : "not a symbolic link",
            libssh2Code: rc)
    }

    private static func attributes(_ raw: LIBSSH2_SFTP_ATTRIBUTES) -> SFTPFileAttributes {
        SFTPFileAttributes(
            mode: UInt32(truncatingIfNeeded: raw.permissions), size: raw.filesize,
            uid: UInt32(truncatingIfNeeded: raw.uid),
            gid: UInt32(truncatingIfNeeded: raw.gid), modificationTime: UInt64(raw.mtime))
    }
}

@available(*, unavailable)
extension LibSSH2SFTP: Sendable {}
