/// `cosmovisor/current` cannot be used: the agent refuses to start a binary and `status` says why,
/// instead of falling back to genesis (which would start the old binary on post-upgrade state).
public struct CurrentLinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the link.
    public enum Reason: Sendable, Hashable {
        /// A file or a real directory sits at `current`.
        case notASymlink
        /// The target names nothing.
        case dangling
        /// The target is a file, not a directory.
        case notADirectory
        /// The target is not `genesis` or `upgrades/<name>` inside this home's `cosmovisor/`.
        case outsideLayout
    }

    /// The path of the `current` link.
    public var link: String
    /// The link's target as written, `nil` when `current` is not a link.
    public var target: String?
    /// What is wrong.
    public var reason: Reason

    /// Creates the error.
    public init(link: String, target: String?, reason: Reason) {
        self.link = link
        self.target = target
        self.reason = reason
    }

    /// One sentence naming the link and its target (control characters escaped).
    public var description: String {
        let shownTarget = target.map(Self.quoted) ?? ""
        switch reason {
        case .notASymlink:
            return "\(Self.quoted(link)) is not a symbolic link; expected a link to genesis or upgrades/<name>"
        case .dangling:
            return "\(Self.quoted(link)) points to \(shownTarget), which does not exist"
        case .notADirectory:
            return "\(Self.quoted(link)) points to \(shownTarget), which is not a directory"
        case .outsideLayout:
            let root =
                link.hasSuffix("/" + CosmovisorLayout.currentLinkName)
                ? String(link.dropLast(CosmovisorLayout.currentLinkName.count + 1)) : link
            return "\(Self.quoted(link)) points to \(shownTarget), outside \(Self.quoted(root + "/genesis")) "
                + "and \(Self.quoted(root + "/upgrades/<name>"))"
        }
    }

    /// `text` in double quotes, cut at 4096 bytes, with control characters escaped.
    private static func quoted(_ text: String) -> String {
        let bounded =
            text.utf8.count > CurrentLinkObservation.maximumTargetLength
            ? String(decoding: text.utf8.prefix(CurrentLinkObservation.maximumTargetLength), as: UTF8.self) + "…"
            : text
        return GoText.quoted(bounded) { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                ? GoText.unicodeEscape(scalar, uppercase: false) : nil
        }
    }
}
