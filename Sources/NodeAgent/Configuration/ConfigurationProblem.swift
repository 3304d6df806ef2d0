/// One configuration problem, worded as cosmovisor's.
struct ConfigurationProblem: Error, Equatable, CustomStringConvertible {
    /// The message.
    var description: String

    init(_ description: String) { self.description = description }
}
