/// A command failed; ArgumentParser prints `Error: <message>` on stderr and exits 1, as cobra does.
struct CommandFailure: Error, Equatable, CustomStringConvertible {
    /// The message, worded as cosmovisor's where it has one.
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }

    /// cobra's `ExactArgs(n)` failure.
    static func argumentCount(expected: Int, received: Int) -> CommandFailure {
        CommandFailure("accepts \(expected) arg(s), received \(received)")
    }
}
