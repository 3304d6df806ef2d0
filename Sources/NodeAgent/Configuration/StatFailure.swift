/// A failed `stat(2)`, worded like Go's `*PathError`.
struct StatFailure: Error, CustomStringConvertible {
    /// The `errno` of `stat(2)`.
    var code: Int32
    /// `stat <path>: <reason>`.
    var description: String
}
