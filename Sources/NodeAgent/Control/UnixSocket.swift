import FleetCore
import Foundation
import Glibc

/// The Unix-socket system calls of the control channel: listen (mode 0600, no window), connect, bounded
/// reads with a deadline, and the peer's credentials.
enum UnixSocket {
    /// Creates the listening socket at `path`, mode 0600, owned by the calling user.
    ///
    /// The directory must be owned by this user (or root) and writable by nobody else, so no other user
    /// can swap the socket; the agent's own directory loses group and other write bits (a umask of 002). A leftover socket (or symlink) at `path` is removed first: the caller holds
    /// the agent lock, so no live agent owns it. The mode is set on the socket before `bind(2)` (Linux
    /// creates the node with the socket's mode), so the node is never wider than 0600.
    ///
    /// - Throws: ``AgentError`` naming the path and the reason.
    static func listen(at path: String, backlog: Int32 = 8) throws(AgentError) -> Int32 {
        func failure(_ what: String, _ code: Int32 = errno) -> AgentError {
            AgentError(.command, "control socket \(path): \(what): \(GoText.errno(code))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        guard lstat(directory, &info) == 0 else { throw failure("stat \(directory)") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw AgentError(.command, "control socket \(path): \(directory) is not a directory")
        }
        let writableByOthers = info.st_mode & (S_IWGRP | S_IWOTH) != 0
        // The agent's own directory, made group-writable by a umask such as 002: taking the write bits away is
        // enough (nobody else can change it from then on). A directory someone else owns cannot be trusted.
        if info.st_uid == geteuid(), writableByOthers {
            guard chmod(directory, info.st_mode & 0o7777 & ~(S_IWGRP | S_IWOTH)) == 0 else {
                throw failure("chmod go-w \(directory)")
            }
        } else if info.st_uid != geteuid() && info.st_uid != 0 || writableByOthers {
            throw AgentError(
                .command,
                "control socket \(path): \(directory) must be owned by uid \(geteuid()) and writable by nobody "
                    + "else (mode \(String(info.st_mode & 0o7777, radix: 8)), owner \(info.st_uid))"
            )
        }
        if lstat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFSOCK || kind == S_IFLNK else {
                throw AgentError(.command, "control socket \(path): something other than a socket is in the way")
            }
            guard unlink(path) == 0 else { throw failure("removing the stale socket") }
        }
        var address = sockaddr_un()
        guard fillAddress(&address, path) else {
            throw AgentError(.command, "control socket \(path): the path is too long for a Unix socket")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        guard fchmod(fd, 0o600) == 0 else {
            let code = errno
            close(fd)
            throw failure("fchmod", code)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw failure("bind", code)
        }
        // Belt and braces: a file system that ignored the socket's mode still ends at 0600.
        if chmod(path, 0o600) != 0 {
            let code = errno
            close(fd)
            unlink(path)
            throw failure("chmod", code)
        }
        return fd
    }

    /// Connects to the socket at `path`.
    ///
    /// - Returns: the descriptor, or the errno (`ENOENT`, `ECONNREFUSED`, `EACCES` …).
    static func connect(to path: String) -> Result<Int32, SocketError> {
        var address = sockaddr_un()
        guard fillAddress(&address, path) else { return .failure(SocketError(ENAMETOOLONG)) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(SocketError(errno)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            return .failure(SocketError(code))
        }
        return .success(fd)
    }

    /// The peer's uid (`SO_PEERCRED`), `nil` when the kernel does not tell.
    static func peerUID(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields.
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.1
    }

    /// Reads until `terminator` (a newline by default; the HTTP listener passes CR LF CR LF) or the end of
    /// input, at most `maxBytes`, until `deadline`; returns what came before the terminator.
    static func readMessage(
        _ fd: Int32,
        maxBytes: Int,
        deadline: ContinuousClock.Instant,
        terminator: [UInt8] = [UInt8(ascii: "\n")]
    ) -> Result<[UInt8], ReadFailure> {
        var message: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard DescriptorPoll.wait(fd, for: Int16(POLLIN), until: deadline) else { return .failure(.timedOut) }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.error(SocketError(errno)))
            }
            if n == 0 { return .success(message) }
            message += buffer[0..<n]
            if message.count > maxBytes { return .failure(.tooLarge) }
            if let end = firstRange(of: terminator, in: message) { return .success(Array(message[..<end])) }
        }
    }

    /// Why ``readMessage(_:maxBytes:deadline:)`` gave up.
    enum ReadFailure: Error, Equatable {
        case timedOut
        case tooLarge
        case error(SocketError)
    }

    /// Writes all of `bytes` (no SIGPIPE); false when the peer went away.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    private static func fillAddress(_ address: inout sockaddr_un, _ path: String) -> Bool {
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return true
    }
}

/// A socket call's errno, shown with Go's text (``GoText/errno(_:capitalized:)``).
struct SocketError: Error, Equatable, CustomStringConvertible {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { GoText.errno(code) }
}
