import FleetCore
import Glibc

/// A failed upgrade step, with the message cosmovisor prints after `Error: `.
struct StepError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    static func errno(_ operation: String, _ code: Int32) -> StepError {
        StepError("\(operation): \(GoText.errno(code))")
    }

    /// Checks that `path` is a regular file and adds execute bits (a+x) when needed (cosmovisor's
    /// EnsureBinary), before it is started or switched to.
    static func ensureExecutable(_ path: String) throws(StepError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .errno("stat \(path)", Glibc.errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StepError("\(path) is not a regular file") }
        let wanted = info.st_mode | S_IXUSR | S_IXGRP | S_IXOTH
        if wanted != info.st_mode, chmod(path, wanted) != 0 { throw .errno("chmod \(path)", Glibc.errno) }
    }
}
