/// A host's install stopped: how, and why.
struct InstallFailure: Error {
    var result: InstallResult
    var reason: String
    init(_ result: InstallResult, _ reason: String) {
        self.result = result
        self.reason = reason
    }
}
