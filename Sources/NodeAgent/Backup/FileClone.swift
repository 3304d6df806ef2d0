import FleetCore
import Glibc

/// The three ways a file reaches a backup (or a restore): an extent clone, a hard link, a copy. Each
/// creates `destination` (which must not exist) with the source's permission bits and returns `errno`
/// on failure, leaving no partial file behind.
enum FileClone {
    /// `FICLONE` (`_IOW(0x94, 9, int)`, linux/fs.h): the destination shares the source's extents,
    /// copy-on-write (btrfs, XFS with reflink, bcachefs). ext4 and tmpfs answer `EOPNOTSUPP`/`EINVAL`/`ENOTTY`.
    static let ficlone: UInt = 0x4004_9409

    /// Clones `source` into a new `destination`.
    static func reflink(_ source: String, to destination: String, mode: mode_t) -> Int32? {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        if input < 0 { return errno }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if output < 0 { return errno }
        var failure: Int32?
        if ioctl(output, ficlone, input) != 0 {
            failure = errno
        } else if fchmod(output, mode) != 0 || fsync(output) != 0 {
            failure = errno
        }
        close(output)
        if failure != nil { unlink(destination) }
        return failure
    }

    /// Hard-links `source` at `destination` (same inode, so the same mode).
    static func hardLink(_ source: String, to destination: String) -> Int32? {
        link(source, destination) == 0 ? nil : errno
    }

    /// Copies the bytes of `source` into a new `destination` in 1 MiB chunks, then `fchmod` and `fsync`.
    ///
    /// - Returns: `errno` and the path it concerns, or `nil`.
    static func copy(_ source: String, to destination: String, mode: mode_t) -> (errno: Int32, path: String)? {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        if input < 0 { return (errno, source) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if output < 0 { return (errno, destination) }
        var failure: (errno: Int32, path: String)?
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        copying: while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = (errno, source)
                break
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = (errno, destination)
                    break copying
                }
                offset += written
            }
        }
        if failure == nil, fchmod(output, mode) != 0 || fsync(output) != 0 { failure = (errno, destination) }
        close(output)
        if failure != nil { unlink(destination) }
        return failure
    }

    /// Whether the file system holding `directory` clones `source` (probed with a throw-away clone in
    /// `directory`).
    static func supportsReflink(from source: String, in directory: String) -> Bool {
        let probe = directory + "/.reflink-probe-\(getpid())"
        defer { unlink(probe) }
        return reflink(source, to: probe, mode: 0o600) == nil
    }
}
