/// How strictly unknown hosts are treated.
public enum HostKeyPolicy: Sendable, Hashable {
    /// Only keys already in known_hosts are accepted.
    case strict
    /// Unknown hosts are accepted once and recorded; changed keys are still refused.
    case acceptNew
}
