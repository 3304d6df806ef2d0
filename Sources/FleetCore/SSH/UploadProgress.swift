/// How far an upload is, reported to progress callbacks.
public struct UploadProgress: Sendable, Hashable {
    /// Bytes the server has acknowledged so far.
    public var bytesSent: Int64
    /// Bytes in the whole file.
    public var totalBytes: Int64

    /// Creates a progress value.
    public init(bytesSent: Int64, totalBytes: Int64) {
        self.bytesSent = bytesSent
        self.totalBytes = totalBytes
    }

    /// `bytesSent / totalBytes` in 0…1 (1 for an empty file).
    public var fraction: Double { totalBytes == 0 ? 1 : Double(bytesSent) / Double(totalBytes) }
}
