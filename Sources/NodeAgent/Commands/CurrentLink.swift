import FleetCore
import Foundation

/// `cosmovisor/current` for `run`, `init` and `version`: FleetCore's one reading of the link
/// (``CosmovisorLayout/selection(for:)``), relative or absolute target, inside the layout or refused.
enum CurrentLink {
    /// The binary `current` selects, creating `current -> genesis` (relative) when nothing is at `current`.
    ///
    /// - Parameter canonical: resolve the directory with `realpath(3)` (what `init` prints); `run` passes
    ///   `false` and starts `<root>/<genesis | upgrades/name>/bin/<daemon>` as cosmovisor does.
    /// - Returns: the path of `<root>/<genesis | upgrades/name>/bin/<daemon>`.
    /// - Throws: ``AgentError``: cosmovisor's `symlink genesis current: file exists` when a file or a
    ///   real directory sits at `current`; the ``CurrentLinkError`` sentence when the link dangles, names a
    ///   file or points outside the layout (never a fallback to genesis).
    static func resolveOrCreateGenesis(
        _ layout: CosmovisorLayout,
        canonical: Bool = true
    ) throws(AgentError) -> String {
        let observation = CurrentLinkObservation.read(layout.current)
        let selection = try select(layout, observation)
        if observation == .missing, symlink(CosmovisorLayout.genesisLinkTarget, layout.current) != 0 {
            let reason = GoText.errno(errno)
            throw AgentError(
                .command,
                "symlink \(CosmovisorLayout.genesisLinkTarget) \(CosmovisorLayout.currentLinkName): \(reason)"
            )
        }
        let directory = layout.directory(of: selection)
        guard canonical else { return layout.binary(of: selection) }
        guard let resolved = realPath(directory) else {
            throw AgentError(.command, "lstat \(directory): \(GoText.errno(errno))")
        }
        return resolved + "/bin/" + layout.daemonName
    }

    /// The binary `current` selects, without creating anything (genesis when `current` is missing).
    ///
    /// - Throws: ``AgentError`` as ``resolveOrCreateGenesis(_:)``.
    static func binary(_ layout: CosmovisorLayout) throws(AgentError) -> String {
        layout.binary(of: try select(layout, CurrentLinkObservation.read(layout.current)))
    }

    private static func select(
        _ layout: CosmovisorLayout,
        _ observation: CurrentLinkObservation
    ) throws(AgentError) -> CurrentSelection {
        do {
            return try layout.selection(for: observation)
        } catch {
            guard error.reason != .notASymlink else {
                // cosmovisor's words: it tries to create `current -> genesis` over the entry and fails.
                throw AgentError(
                    .command,
                    "symlink \(CosmovisorLayout.genesisLinkTarget) \(CosmovisorLayout.currentLinkName): file exists"
                )
            }
            throw AgentError(.command, error.description)
        }
    }

    /// `realpath(3)`, `nil` when the path does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
