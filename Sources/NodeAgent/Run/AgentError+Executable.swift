import FleetCore
import Glibc

extension AgentError {
    /// Checks that `path` is a regular file and adds execute bits (a+x) when needed (cosmovisor's
    /// EnsureBinary), before it is started or switched to.
    static func ensureExecutable(_ path: String) throws(AgentError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .step("stat \(path)", errno: Glibc.errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw AgentError(.step, "\(path) is not a regular file") }
        let wanted = info.st_mode | S_IXUSR | S_IXGRP | S_IXOTH
        if wanted != info.st_mode, chmod(path, wanted) != 0 { throw .step("chmod \(path)", errno: Glibc.errno) }
    }
}
