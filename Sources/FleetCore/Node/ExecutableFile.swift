import Foundation

/// x/upgrade `EnsureBinary`: the file at a path must be a regular file, and gets all three execute bits.
///
/// ```swift
/// try ExecutableFile.ensure(layout.upgradeBinary(for: name))
/// ```
public enum ExecutableFile {
    /// Checks that `path` (followed through symlinks) is a regular file and adds `a+x` if needed.
    ///
    /// - Throws: ``ExecutableFileError``: `cannot stat dir <path>: …`, `<file name> is not a regular file`,
    ///   or `chmod <path>: …`; the messages are x/upgrade's.
    public static func ensure(_ path: String) throws(ExecutableFileError) {
        var info = stat()
        if stat(path, &info) != 0 {
            throw ExecutableFileError(
                code: .missing,
                message: "cannot stat dir \(path): stat \(path): \(GoText.errno(errno))"
            )
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw ExecutableFileError(
                code: .notRegular,
                message: "\(PosixFile.baseName(of: path)) is not a regular file"
            )
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o111 != 0o111, chmod(path, mode | 0o111) != 0 {
            throw ExecutableFileError(code: .chmod, message: "chmod \(path): \(GoText.errno(errno))")
        }
    }
}
