extension StartupPageRelease {
    /// ``release()`` for the servers' idle hook: pages a request faulted in go back once no request is left.
    @Sendable static func releaseQuietly() {
        _ = release()
    }
}
