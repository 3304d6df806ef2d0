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
                message: "cannot stat dir \(path): stat \(path): \(GoErrorText.errno(errno))"
            )
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw ExecutableFileError(code: .notRegular, message: "\(PosixFile.baseName(of: path)) is not a regular file")
        }
        let mode = info.st_mode & 0o7777
        if mode & 0o111 != 0o111, chmod(path, mode | 0o111) != 0 {
            throw ExecutableFileError(code: .chmod, message: "chmod \(path): \(GoErrorText.errno(errno))")
        }
    }
}

/// ``ExecutableFile/ensure(_:)`` refused a path. Equality compares the ``code`` only.
public struct ExecutableFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why.
    public struct Code: Sendable, Hashable {
        private enum Value: Sendable, Hashable { case missing, notRegular, chmod }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The path cannot be stat'ed.
        public static let missing = Code(.missing)
        /// The path is a directory or another non-regular file.
        public static let notRegular = Code(.notRegular)
        /// Adding the execute bits failed.
        public static let chmod = Code(.chmod)
    }

    /// Why.
    public let code: Code
    /// x/upgrade's message.
    public let message: String

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
