public import Foundation

/// Whole-file replacement that readers never see half-done.
///
/// The bytes go to a temporary file in the same directory, which is fsynced, given its mode, renamed
/// over the destination with `rename(2)`, and the directory is fsynced (or both flushes are handed to a
/// ``Durability/deferred(_:)`` flusher). A reader sees the old file or
/// the new one, never a missing, empty or partial one; after a crash the destination holds one of them.
///
/// ```swift
/// try AtomicFile.write(plan.jsonData(), to: layout.upgradeInfoFile, mode: 0o600)
/// ```
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `data`.
    ///
    /// - Parameters:
    ///   - data: the new content.
    ///   - path: the destination; its directory must exist.
    ///   - mode: permission bits of the new file (not filtered by the umask).
    ///   - durability: fsync before returning (the default), or leave the flushes to a background flusher.
    /// - Throws: ``NodeFileError`` naming the failed step; the temporary file is removed.
    public static func write(
        _ data: Data,
        to path: String,
        mode: mode_t = 0o644,
        durability: Durability = .immediate
    ) throws(NodeFileError) {
        let temporary = PosixFile.temporarySibling(of: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw .syscall(.write, "open", path: temporary) }
        var failure: NodeFileError?
        if let code = PosixFile.writeAll(fd, data) {
            failure = .syscall(.write, "write", path: temporary, errno: code)
        } else if fchmod(fd, mode) != 0 {
            failure = .syscall(.write, "fchmod", path: temporary)
        } else if case .immediate = durability, fsync(fd) != 0 {
            failure = .syscall(.write, "fsync", path: temporary)
        }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 {
            failure = .syscall(.rename, "rename", path: path)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        if case .deferred(let flusher) = durability {
            flusher.sync(path)
            flusher.sync(PosixFile.directory(of: path))
            return
        }
        if let code = PosixFile.syncDirectory(PosixFile.directory(of: path)) {
            throw .syscall(.write, "fsync", path: PosixFile.directory(of: path), errno: code)
        }
    }

    /// Atomically copies the file at `source` to `path`, streaming in 1 MiB chunks.
    ///
    /// The same temporary-file, fsync and rename steps as ``write(_:to:mode:)``, so a partial copy is
    /// never visible at `path`.
    ///
    /// - Parameters:
    ///   - source: the file to copy.
    ///   - path: the destination; its directory must exist.
    ///   - mode: permission bits of the new file (not filtered by the umask).
    /// - Throws: ``NodeFileError``; the temporary file is removed.
    public static func copy(from source: String, to path: String, mode: mode_t) throws(NodeFileError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        if input < 0 { throw .syscall(.read, "open", path: source) }
        defer { close(input) }
        let temporary = PosixFile.temporarySibling(of: path)
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if output < 0 { throw .syscall(.write, "open", path: temporary) }
        var failure: NodeFileError?
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while failure == nil {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = .syscall(.read, "read", path: source)
            } else if count == 0 {
                break
            } else if let code = PosixFile.writeAll(output, Data(buffer[0..<count])) {
                failure = .syscall(.write, "write", path: temporary, errno: code)
            }
        }
        if failure == nil, fchmod(output, mode) != 0 { failure = .syscall(.write, "fchmod", path: temporary) }
        if failure == nil, fsync(output) != 0 { failure = .syscall(.write, "fsync", path: temporary) }
        close(output)
        if failure == nil, rename(temporary, path) != 0 { failure = .syscall(.rename, "rename", path: path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        _ = PosixFile.syncDirectory(PosixFile.directory(of: path))
    }

    /// Atomically moves a complete file that is ours (a finished download) to `path`: mode set, fsynced,
    /// renamed, directory fsynced. Across file systems it falls back to ``copy(from:to:mode:)`` and removes
    /// `staged`, so the bytes are never written twice when one `rename(2)` can do.
    ///
    /// - Throws: ``NodeFileError``; on failure `path` is unchanged.
    public static func install(_ staged: String, at path: String, mode: mode_t) throws(NodeFileError) {
        let fd = open(staged, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .syscall(.read, "open", path: staged) }
        var failure: NodeFileError?
        if fchmod(fd, mode) != 0 {
            failure = .syscall(.write, "fchmod", path: staged)
        } else if fsync(fd) != 0 {
            failure = .syscall(.write, "fsync", path: staged)
        }
        close(fd)
        if let failure { throw failure }
        if rename(staged, path) != 0 {
            guard errno == EXDEV else { throw .syscall(.rename, "rename", path: path) }
            try copy(from: staged, to: path, mode: mode)
            unlink(staged)
            return
        }
        if let code = PosixFile.syncDirectory(PosixFile.directory(of: path)) {
            throw .syscall(.write, "fsync", path: PosixFile.directory(of: path), errno: code)
        }
    }

    /// Reads a whole file.
    ///
    /// - Returns: the bytes, or `nil` when the file does not exist.
    /// - Throws: ``NodeFileError`` for any other failure.
    public static func read(_ path: String) throws(NodeFileError) -> Data? {
        switch PosixFile.readAll(path) {
        case .success(let data): return data
        case .failure(let error) where error.code == ENOENT: return nil
        case .failure(let error): throw .syscall(.read, "read", path: path, errno: error.code)
        }
    }
}
