/// When a replacement made by ``AtomicFile`` or ``AtomicSymlink`` reaches the disk.
///
/// Either way the replacement is a `rename(2)` of a complete temporary file or link, atomic for readers
/// and for a process killed half-way; only the flush differs.
public enum Durability: Sendable {
    /// The file and its directory are fsynced before the call returns.
    case immediate
    /// The call returns after the rename; `flusher` is handed the file and its directory to fsync soon
    /// (the run loop's switch path, where one fsync costs more than the whole switch may take).
    case deferred(any DeferredFlusher)
}

/// Flushes paths to disk later, off the caller's path (the run loop's background queue).
public protocol DeferredFlusher: Sendable {
    /// Flushes `path` (a file or a directory) to disk soon.
    func sync(_ path: String)
}
