/// One configuration problem, worded as cosmovisor's: collected by the validators and reported together
/// as ``AgentError/problems`` of one configuration error, never thrown out of the module.
struct ConfigurationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message.
    var description: String

    init(_ description: String) { self.description = description }
}
