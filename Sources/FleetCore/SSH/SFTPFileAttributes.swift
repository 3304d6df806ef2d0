/// What `stat`/`lstat` report about a remote path.
public struct SFTPFileAttributes: Sendable, Hashable {
    /// The kind of file system object.
    public enum Kind: Sendable, Hashable {
        /// A regular file.
        case regular
        /// A directory.
        case directory
        /// A symbolic link (only from `lstat`).
        case symlink
        /// Anything else (fifo, socket, device).
        case other
    }

    /// The kind, from the mode's file-type bits.
    public var kind: Kind
    /// Size in bytes.
    public var size: UInt64
    /// Permission bits (`0o7777` part of the mode), such as `0o755`.
    public var permissions: UInt32
    /// Owner user id.
    public var uid: UInt32
    /// Owner group id.
    public var gid: UInt32
    /// Modification time, seconds since 1970.
    public var modificationTime: UInt64

    /// Creates attributes; see the properties.
    public init(kind: Kind, size: UInt64, permissions: UInt32, uid: UInt32, gid: UInt32, modificationTime: UInt64) {
        self.kind = kind
        self.size = size
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.modificationTime = modificationTime
    }

    /// Builds attributes from a full POSIX mode (type and permission bits).
    init(mode: UInt32, size: UInt64, uid: UInt32, gid: UInt32, modificationTime: UInt64) {
        let kind: Kind
        switch mode & 0o170000 {
        case 0o100000: kind = .regular
        case 0o040000: kind = .directory
        case 0o120000: kind = .symlink
        default: kind = .other
        }
        self.init(
            kind: kind, size: size, permissions: mode & 0o7777, uid: uid, gid: gid, modificationTime: modificationTime)
    }
}
