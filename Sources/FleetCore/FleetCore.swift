/// The version shared by `fleet` and `node-agent`.
public enum FleetVersion {
    /// The release string printed by both programs.
    public static let current = "0.1.0"
}
