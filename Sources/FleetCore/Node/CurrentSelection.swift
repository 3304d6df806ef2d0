/// The directory `cosmovisor/current` selects: genesis or one upgrade directory.
///
/// Derived from a ``CurrentLinkObservation`` by ``CosmovisorLayout/selection(for:)``, the one reading of
/// `current` shared by the agent's `run` and `status` and by `fleet status`'s probe. Both target forms are
/// accepted: the relative ones cosmovisor ≥ 1.7 writes (`genesis`, `upgrades/v2`, also with `..` or `.`
/// parts) and the absolute ones of cosmovisor ≤ 1.6 (`/home/x/.gaia/cosmovisor/upgrades/v2`), as long as
/// they land on `<root>/genesis` or `<root>/upgrades/<name>` (compared lexically).
public enum CurrentSelection: Sendable, Hashable {
    /// `cosmovisor/genesis` (also what a missing `current` means).
    case genesis
    /// `cosmovisor/upgrades/<directory>`.
    case upgrade(directory: String)

    /// `genesis` or the upgrade's directory name: the ``NodeStatus/StagedBinary/name`` of its binary.
    public var name: String {
        switch self {
        case .genesis: CosmovisorLayout.genesisLinkTarget
        case .upgrade(let directory): directory
        }
    }

    /// The upgrade directory name, `nil` for genesis.
    public var upgrade: String? {
        switch self {
        case .genesis: nil
        case .upgrade(let directory): directory
        }
    }
}

extension CosmovisorLayout {
    /// What `current` selects.
    ///
    /// - Returns: ``CurrentSelection/genesis`` for a missing link (as cosmovisor), else the directory the
    ///   target names.
    /// - Throws: ``CurrentLinkError`` when something other than a link sits at `current`, or the link
    ///   dangles, names a file, or lands outside `genesis` and `upgrades/<name>`. Never a silent genesis.
    public func selection(for observation: CurrentLinkObservation) throws(CurrentLinkError) -> CurrentSelection {
        switch observation {
        case .missing:
            return .genesis
        case .notASymlink:
            throw CurrentLinkError(link: current, target: nil, reason: .notASymlink)
        case .symlink(let target, let destination):
            guard let selection = Self.selection(target: target, root: root) else {
                throw CurrentLinkError(link: current, target: target, reason: .outsideLayout)
            }
            switch destination {
            case .directory: return selection
            case .file: throw CurrentLinkError(link: current, target: target, reason: .notADirectory)
            case .nothing: throw CurrentLinkError(link: current, target: target, reason: .dangling)
            }
        }
    }

    /// `root/genesis` or `root/upgrades/<directory>`.
    public func directory(of selection: CurrentSelection) -> String {
        switch selection {
        case .genesis: genesisDirectory
        case .upgrade(let directory): upgradesDirectory + "/" + directory
        }
    }

    /// `<directory(of:)>/bin/$DAEMON_NAME`: the binary `run` starts for `selection`.
    public func binary(of selection: CurrentSelection) -> String {
        directory(of: selection) + "/bin/" + daemonName
    }

    /// The selection a target names, resolved lexically against `root`; `nil` outside the layout.
    private static func selection(target: String, root: String) -> CurrentSelection? {
        guard !target.isEmpty else { return nil }
        let rootParts = normalized(components(of: root), absolute: root.hasPrefix("/"))
        let path = target.hasPrefix("/") ? target : root + "/" + target
        let parts = normalized(components(of: path), absolute: path.hasPrefix("/"))
        guard parts.count > rootParts.count, Array(parts.prefix(rootParts.count)) == rootParts else { return nil }
        let inside = parts.dropFirst(rootParts.count).map(String.init)
        if inside == [genesisLinkTarget] { return .genesis }
        if inside.count == 2, inside[0] == "upgrades" { return .upgrade(directory: inside[1]) }
        return nil
    }

    private static func components(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Drops `.` and resolves `..` against the previous part (`..` at an absolute root stays at the root).
    private static func normalized(_ parts: [Substring], absolute: Bool) -> [Substring] {
        var result: [Substring] = []
        for part in parts {
            switch part {
            case ".": continue
            case "..":
                if let last = result.last, last != ".." {
                    result.removeLast()
                } else if !absolute {
                    result.append(part)
                }
            default: result.append(part)
            }
        }
        return result
    }
}
