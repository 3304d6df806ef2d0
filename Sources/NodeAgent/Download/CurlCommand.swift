import FleetCore
import Foundation

/// The system `curl`, which fetches `http(s)://` URLs for node-agent.
///
/// Running the binary (argv only, never a shell) keeps libcurl and its TLS stack out of the resident
/// agent (Foundation's networking module would link them), and streams a download to disk instead of
/// holding it in memory.
struct CurlCommand: Sendable {
    /// Directories searched for `curl`, in order.
    var searchPath: [String]

    /// - Parameter searchPath: where to look for `curl`; by default `PATH`'s absolute entries, then `/usr/bin`.
    init(searchPath: [String] = CurlCommand.defaultSearchPath) {
        self.searchPath = searchPath
    }

    /// `PATH`'s absolute directories (a relative entry would depend on the working directory), then `/usr/bin`.
    static var defaultSearchPath: [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map(String.init).filter { $0.hasPrefix("/") } + ["/usr/bin"]
    }

    /// A download gives up when it moves less than 1 KiB/s for a minute (curl's own stall guard).
    static let stallArguments = ["--speed-limit", "1024", "--speed-time", "60"]
    /// The hard ceiling on one download, far beyond any working transfer; only a wedged curl reaches it.
    static let downloadTimeLimit = Duration.seconds(6 * 3600)
    /// How long curl gets beyond its own `--max-time` to exit before it is killed.
    static let exitMargin = Duration.seconds(5)

    /// The first executable `curl` in ``searchPath``.
    func executable() -> String? {
        searchPath.lazy.map { $0.hasSuffix("/") ? $0 + "curl" : $0 + "/curl" }.first { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
        }
    }

    /// Downloads `url` into the file `destination` (created or truncated), following up to 10 redirects.
    ///
    /// - Parameters:
    ///   - reference: the URL as the plan gave it, named in errors.
    ///   - maxBytes: curl's `--max-filesize`; a larger body ends the transfer.
    /// - Throws: ``AgentError`` `could not download url "<reference>": <reason>` (curl missing, curl's
    ///   exit status and message, `more than <n> bytes`, or the time limit).
    func download(_ url: URL, to destination: String, reference: String, maxBytes: Int64) async throws(AgentError) {
        let arguments =
            Self.commonArguments
            + ["--location", "--max-redirs", "10", "--proto-redir", "=http,https", "--retry", "2"]
            + Self.stallArguments + ["--output", destination]
        do {
            _ = try await run(arguments, url: url, maxBytes: maxBytes, timeLimit: Self.downloadTimeLimit)
        } catch {
            throw AgentError(.download, "could not download url \(GoDuration.goQuote(reference)): \(error)")
        }
    }

    /// GETs `url` (no redirects) and returns the body, for small JSON answers.
    ///
    /// - Throws: ``AgentError`` `GET <url>: <reason>`.
    func get(_ url: URL, timeLimit: Duration, maxBytes: Int) async throws(AgentError) -> Data {
        let seconds = max(1, timeLimit.components.seconds)
        let arguments = Self.commonArguments + ["--max-time", String(seconds)]
        do {
            let body = try await run(
                arguments,
                url: url,
                maxBytes: Int64(maxBytes),
                timeLimit: timeLimit + Self.exitMargin
            )
            return Data(body.utf8)
        } catch {
            throw AgentError(.download, "GET \(url.absoluteString): \(error)")
        }
    }

    /// Options every transfer gets. `--disable` (first) ignores `~/.curlrc`; `--globoff` takes `[]{}` in
    /// the URL literally; `--proto` refuses anything but http(s); `--fail` turns HTTP errors into exit 22.
    private static let commonArguments = [
        "--disable", "--fail", "--silent", "--show-error", "--globoff", "--proto", "=http,https",
        "--connect-timeout", "30",
    ]

    /// Runs curl in its own process group (reaped off the cooperative pool); returns its stdout.
    ///
    /// - Throws: ``AgentError`` holding only the reason.
    private func run(
        _ arguments: [String],
        url: URL,
        maxBytes: Int64,
        timeLimit: Duration
    ) async throws(AgentError) -> String {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw AgentError(.download, "unsupported URL scheme \(GoDuration.goQuote(url.scheme ?? ""))")
        }
        guard let curl = executable() else { throw AgentError(.download, "curl not found (install curl)") }
        // `--` ends the options, so no URL can ever be read as one.
        let argv = arguments + ["--max-filesize", String(maxBytes), "--", url.absoluteString]
        let result: CapturedRun
        do {
            result = try await ChildProcess.capture(curl, arguments: argv, captureErrorOutput: true, timeout: timeLimit)
        } catch {
            throw AgentError(.download, "launching \(curl) failed: \(error)")
        }
        if result.timedOut { throw AgentError(.download, "curl was stopped after \(GoDuration.format(timeLimit))") }
        let failure: String
        switch result.status {
        case .exited(0): return result.output
        case .exited(63): throw AgentError(.download, "more than \(maxBytes) bytes")
        case .exited(let code): failure = "curl exited with status \(code)"
        case .signaled: failure = "curl ended by \(result.status)"
        }
        let message = Self.summary(result.errorOutput)
        throw AgentError(.download, failure + (message.isEmpty ? "" : ": " + message))
    }

    /// curl's stderr, trimmed, one line, at most 500 characters.
    private static func summary(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let joined = lines.filter { !$0.isEmpty }.joined(separator: "; ")
        return joined.count > 500 ? String(joined.prefix(500)) + "…" : joined
    }
}
