/// Every problem found in the configuration, reported together (spec §3, "error aggregation").
///
/// ``description`` joins the messages with newlines, like Go's `errors.Join`.
struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The problems, parse errors first, then validation errors, in cosmovisor's order.
    var problems: [ConfigurationProblem]

    init(_ problems: [ConfigurationProblem]) { self.problems = problems }

    /// A single problem.
    init(_ message: String) { self.problems = [ConfigurationProblem(message)] }

    var description: String { problems.map(\.description).joined(separator: "\n") }
}
