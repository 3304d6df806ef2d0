import Foundation

/// The download part of a plan's `info` (x/upgrade `plan.Info`): `{"binaries":{"<os>/<arch>":"<url>","any":"<url>"}}`,
/// given inline or behind a URL (spec §5.8).
struct PlanBinaries: Equatable, Sendable {
    /// URLs by platform key (`linux/amd64`, `any` …).
    var binaries: [String: String]

    /// This machine's platform in Go's naming.
    static var currentPlatform: String {
        #if arch(arm64)
        let arch = "arm64"
        #else
        let arch = "amd64"
        #endif
        #if os(macOS)
        return "darwin/" + arch
        #else
        return "linux/" + arch
        #endif
    }

    /// Whether `info` is a reference to fetch rather than inline JSON: an absolute URL or a path starting with `/`.
    static func isReference(_ info: String) -> Bool {
        let trimmed = info.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("/") { return true }
        guard let url = URL(string: trimmed), let scheme = url.scheme, !scheme.isEmpty else { return false }
        return !trimmed.hasPrefix("{")
    }

    /// Decodes the JSON document; other keys are ignored.
    ///
    /// - Throws: ``AgentError`` `plan info must not be blank` or `could not parse plan info: …`.
    static func decode(_ text: String) throws(AgentError) -> PlanBinaries {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw AgentError(.download, "plan info must not be blank") }
        struct Document: Decodable { var binaries: [String: String]? }
        do {
            let document = try JSONDecoder().decode(Document.self, from: Data(trimmed.utf8))
            return PlanBinaries(binaries: document.binaries ?? [:])
        } catch {
            throw AgentError(.download, "could not parse plan info: \(error)")
        }
    }

    /// The URL for `platform`, falling back to `any`.
    ///
    /// - Throws: ``AgentError`` `cannot find binary for os/arch: neither <platform>, nor any`.
    func url(for platform: String = PlanBinaries.currentPlatform) throws(AgentError) -> String {
        if let url = binaries[platform] ?? binaries["any"] { return url }
        throw AgentError(.download, "cannot find binary for os/arch: neither \(platform), nor any")
    }

    /// Refuses a document in which any entry, for any platform, has no `checksum` query parameter
    /// (`DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM`).
    ///
    /// - Throws: ``AgentError`` `binaries["<platform>"]: missing checksum query parameter in url "<url>"`.
    func requireChecksums() throws(AgentError) {
        for platform in binaries.keys.sorted() {
            let url = binaries[platform] ?? ""
            if (Self.checksum(of: url) ?? "").isEmpty {
                throw AgentError(
                    .download,
                    "binaries[\(GoDuration.goQuote(platform))]: missing checksum query parameter in url "
                        + GoDuration.goQuote(url)
                )
            }
        }
    }

    /// The `checksum` query parameter of a URL, if any.
    static func checksum(of url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == "checksum" }?.value
    }
}
