import FleetCore
import Foundation

/// Resolving `cosmovisor/current` the way cosmovisor's `CurrentBin` does.
enum CurrentLink {
    /// The resolved binary behind `current`, creating `current -> genesis` (relative) when `current` is
    /// missing, not a symlink, or dangling.
    ///
    /// - Returns: the real path of `<current>/bin/<daemon>`.
    /// - Throws: ``CommandFailure`` `symlink genesis current: file exists` when something else sits at
    ///   `current`, exactly as cosmovisor.
    static func resolveOrCreateGenesis(_ layout: CosmovisorLayout) throws(CommandFailure) -> String {
        var info = stat()
        let isLink = lstat(layout.current, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
        if isLink, let resolved = realPath(layout.current) {
            return resolved + "/bin/" + layout.daemonName
        }
        if symlink(CosmovisorLayout.genesisLinkTarget, layout.current) != 0 {
            throw CommandFailure(
                "symlink \(CosmovisorLayout.genesisLinkTarget) \(CosmovisorLayout.currentLinkName): \(GoText.errno(errno))"
            )
        }
        guard let resolved = realPath(layout.genesisBinary) else {
            throw CommandFailure("lstat \(layout.genesisBinary): \(GoText.errno(errno))")
        }
        return resolved
    }

    /// The binary `current` selects without creating anything: `current/bin/<daemon>` when the link
    /// resolves, else the genesis binary.
    static func binary(_ layout: CosmovisorLayout) -> String {
        realPath(layout.current) != nil ? layout.currentBinary : layout.genesisBinary
    }

    /// `realpath(3)`, `nil` when the path does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
