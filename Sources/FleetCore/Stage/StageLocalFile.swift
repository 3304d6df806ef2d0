import Foundation

/// A local binary that `fleet stage` or `fleet install-agent` pushes: a non-empty regular file (a
/// symbolic link is followed), with its sha256 and size read before any connection is opened.
///
/// A FIFO or a device is refused before it is opened (reading one would block or never end), as is an
/// empty file (a truncated download or build, never a binary to run). The size is the linked file's, not
/// the link's.
public struct StageLocalFile: Sendable, Hashable {
    /// The path as given.
    public var path: String
    /// Its lowercase hex sha256.
    public var sha256: String
    /// Its size in bytes.
    public var bytes: Int64

    /// Reads the file at `path`.
    ///
    /// Blocking file I/O (it hashes the whole file).
    /// - Throws: ``StageError`` with code `.localFile` whose message says why, without the path (callers
    ///   name it as their command does): "it is a directory", "it is a FIFO, not a regular
    ///   file", "it is empty (0 bytes)", "it changed while it was read", or the system's reason ("No such file or directory").
    public static func read(_ path: String) throws(StageError) -> StageLocalFile {
        let before = try status(path)
        let digest: String
        do {
            digest = try FileDigest.sha256(ofFile: path)
        } catch {
            throw StageError(.localFile, error.message)
        }
        let after = try status(path)
        guard after.st_size == before.st_size, after.st_mtim.tv_sec == before.st_mtim.tv_sec,
            after.st_mtim.tv_nsec == before.st_mtim.tv_nsec, after.st_ino == before.st_ino
        else { throw StageError(.localFile, "it changed while it was read; try again once it is complete") }
        return StageLocalFile(path: path, sha256: digest, bytes: Int64(after.st_size))
    }

    /// `stat` (links followed) of a non-empty regular file.
    private static func status(_ path: String) throws(StageError) -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StageError(.localFile, String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw StageError(.localFile, "it is a directory")
        case S_IFIFO: throw StageError(.localFile, "it is a FIFO, not a regular file")
        case S_IFCHR, S_IFBLK: throw StageError(.localFile, "it is a device, not a regular file")
        case S_IFSOCK: throw StageError(.localFile, "it is a socket, not a regular file")
        default: throw StageError(.localFile, "it is not a regular file")
        }
        guard info.st_size > 0 else { throw StageError(.localFile, "it is empty (0 bytes)") }
        return info
    }
}
