import ArgumentParser
import FleetCore
import Foundation

/// `fleet stage NAME FILE`: put a binary where the agent will look for upgrade NAME, on every node.
struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Pre-stage a binary on every selected node: verified, idempotent, with live progress.",
        discussion: """
            Writes <daemon_home>/cosmovisor/upgrades/<NAME>/bin/<daemon_name> (the directory the agent will \
            look in: recased unless cosmovisor_disable_recase is true for the host), or with --genesis \
            cosmovisor/genesis/bin/<daemon_name>. A node that already holds the file's sha256 is left \
            untouched; one holding a different file is refused unless --force; one with less free space \
            there than the file fails before anything is written. FILE must be a non-empty regular file (a \
            link to one is followed). Otherwise the file goes to a \
            temp name beside the target, is flushed, sha256-checked on the node (openssl, else sha256sum), made 0755 and \
            renamed into place, then checked again. An interrupted run never leaves a partial file at the \
            target; the next run removes its temp files. With --url each node downloads the file itself \
            with curl (the same checks). Connection failures are retried with backoff. Exit codes: 0 every \
            node staged or already staged, 1 otherwise, 2 a bad name, file or inventory, 130 interrupted.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Stage cosmovisor/genesis/bin/<daemon_name> (fresh nodes); the only operand is then FILE.")
    var genesis = false

    @Flag(help: "Replace a different file already staged there.")
    var force = false

    @Option(help: "Have each node download the file from this http(s) URL (with curl) instead of pushing FILE.")
    var url: String?

    @Option(help: "The file's sha256: required with --url; with FILE, checked against the file.")
    var sha256: String?

    @Argument(help: ArgumentHelp("NAME FILE (FILE alone with --genesis; NAME alone with --url).", valueName: "operand"))
    var operands: [String] = []

    func validate() throws {
        let wanted = (genesis ? 0 : 1) + (url == nil ? 1 : 0)
        guard operands.count == wanted else {
            let shape =
                genesis
                ? (url == nil ? "fleet stage --genesis FILE" : "fleet stage --genesis --url URL --sha256 HEX")
                : (url == nil ? "fleet stage NAME FILE" : "fleet stage NAME --url URL --sha256 HEX")
            throw ValidationError("expected: \(shape)")
        }
        if url != nil && sha256 == nil { throw ValidationError("--url needs --sha256 HEX") }
    }

    func run() async throws {
        let request = try makeRequest()
        let (_, hosts) = try global.selectedHosts()
        let settings = SSHClientSettings(global)
        let view = StageProgressView(
            mode: global.json ? .silent : Terminal.current.isTTY ? .live : .lines, hosts: hosts.map(\.name),
            pull: url != nil)
        // Unstructured so the signal handler (outside any task) can cancel it; awaited right below, so it never
        // outlives the command.
        let work = Task {
            await StageRunner.run(
                request, hosts: hosts, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
                progress: { view.handle($0) })
        }
        let interruption = Interruption.install(
            notice: "fleet: interrupted; stopping every host (Ctrl-C again to quit at once)\n"
        ) { work.cancel() }
        let reports = await work.value
        view.finish()
        let renderer = StageRenderer(terminal: .current)
        if global.json {
            Terminal.out(String(decoding: try renderer.json(reports, sha256: request.sha256), as: UTF8.self) + "\n")
        } else {
            Terminal.out(renderer.summary(reports))
        }
        if let code = interruption.exitCode { throw ExitCode(code) }
        if !reports.allSatisfy({ $0.result.succeeded }) { throw ExitCode(1) }
    }

    /// The request, every problem found before a connection is opened (printed, exit 2).
    private func makeRequest() throws -> StageRequest {
        do throws(StageError) {
            let destination: StageRequest.Destination =
                genesis ? .genesis : .upgrade(try StageRequest.checkedName(operands[0]))
            var given: String?
            if let sha256 { given = try StageRequest.checkedSHA256(sha256) }
            if let url {
                return StageRequest(
                    destination: destination,
                    source: .url(url, maximumBytes: StageRequest.defaultMaximumDownloadBytes),
                    sha256: given!, bytes: nil, force: force)
            }
            let file = operands[operands.count - 1]
            let (digest, size) = try Self.digest(file)
            if let given, given != digest {
                throw StageError(.invalidChecksum, "\(file) has sha256 \(digest), not the --sha256 given (\(given))")
            }
            return StageRequest(
                destination: destination, source: .file(path: file), sha256: digest, bytes: size, force: force)
        } catch {
            Terminal.err("fleet: \(TerminalText.escaped(error.message, limit: TerminalText.messageLimit))\n")
            throw ExitCode(2)
        }
    }

    /// The sha256 and size of a non-empty regular file (links followed).
    private static func digest(_ path: String) throws(StageError) -> (String, Int64) {
        do throws(StageError) {
            let file = try StageLocalFile.read(path)
            return (file.sha256, file.bytes)
        } catch {
            throw StageError(.localFile, "cannot read \(path): \(error.message)")
        }
    }
}
