import FleetCore
import Foundation
import Glibc

/// Which staged release a control `switch NAME` means, checked before the request reaches the machine.
///
/// `NAME` maps to `upgrades/<dir>` through the shared ``UpgradeName`` (recased as the agent recases plan
/// names, unless `COSMOVISOR_DISABLE_RECASE`); `genesis` means `cosmovisor/genesis` unless an upgrade
/// directory of that name exists.
enum ReleaseLookup {
    /// A refused switch: the answer's outcome and sentence.
    struct Refusal: Error, Equatable {
        var outcome: ControlReply.Outcome
        var message: String
    }

    /// The release `name` selects, with its binary present and executable.
    static func resolve(_ name: String, layout: CosmovisorLayout, recase: Bool) -> Result<CurrentSelection, Refusal> {
        let upgrade: UpgradeName
        do {
            upgrade = try UpgradeName(name, recase: recase)
        } catch {
            return .failure(Refusal(outcome: .unknownName, message: "invalid release name: \(error)"))
        }
        let selection: CurrentSelection
        if FileManager.default.fileExists(atPath: layout.upgradeDirectory(for: upgrade)) {
            selection = .upgrade(directory: upgrade.directory)
        } else if name == CosmovisorLayout.genesisLinkTarget {
            selection = .genesis
        } else {
            let shown = TerminalText.escaped(name)
            return .failure(
                Refusal(
                    outcome: .unknownName,
                    message:
                        "no release named \(shown) is staged: \(layout.upgradeDirectory(for: upgrade)) does not exist"
                )
            )
        }
        let binary = layout.binary(of: selection)
        var info = stat()
        guard stat(binary, &info) == 0 else {
            return .failure(Refusal(outcome: .binaryMissing, message: "\(binary): \(GoText.errno(errno))"))
        }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_mode & S_IXUSR != 0, access(binary, X_OK) == 0 else {
            return .failure(Refusal(outcome: .notExecutable, message: "\(binary) is not an executable file"))
        }
        return .success(selection)
    }

    /// What `current` selects now, `nil` when it is unusable.
    static func current(_ layout: CosmovisorLayout) -> CurrentSelection? {
        try? layout.selection(for: CurrentLinkObservation.read(layout.current))
    }
}

extension CurrentSelection {
    /// The relative target `current` gets for this release: `genesis` or `upgrades/<dir>`.
    var linkTarget: String {
        switch self {
        case .genesis: CosmovisorLayout.genesisLinkTarget
        case .upgrade(let directory): "upgrades/" + directory
        }
    }
}
