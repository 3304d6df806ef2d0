/// Preparing or downloading an upgrade binary failed; the message is x/upgrade's or cosmovisor's wording.
struct DownloadError: Error, Equatable, CustomStringConvertible {
    /// The message.
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
