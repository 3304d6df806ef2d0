/// One configuration problem, worded as cosmovisor's.
struct ConfigurationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message.
    var description: String

    init(_ description: String) { self.description = description }
}
