import FleetCore
import Foundation

extension BinaryDownloader {
    /// How long listing or unpacking one archive may take.
    static let extractTimeLimit = Duration.seconds(600)

    /// Unpacks the downloaded `archive` into `tree/` next to it with the system `unzip` or `tar`.
    ///
    /// The archive is listed first and refused, before anything is written, when a member is a link, a
    /// special file, an absolute path, has a `..` component, or the members add up to more than
    /// ``maxBytes``. Owners are never restored; afterwards every file gets 0755 or 0644 (by its owner
    /// execute bit) and every directory 0755, so no setuid, setgid or sticky bit survives.
    /// - Returns: the extracted tree, with the daemon moved to `bin/` when the archive had it at its root.
    func extract(
        _ archive: String,
        kind: ArchiveKind,
        daemonName: String,
        reference: String
    ) async throws(AgentError) -> String {
        let listing = try await Self.list(archive, kind: kind, reference: reference)
        try listing.check(maxBytes: maxBytes, reference: reference)
        let tree = (archive as NSString).deletingLastPathComponent + "/tree"
        guard mkdir(tree, 0o755) == 0 else {
            throw AgentError(.download, "cannot download binary. mkdir \(tree): \(GoText.errno(errno))")
        }
        let argv: [String] =
            switch kind {
            case .zip: ["/usr/bin/unzip", "-q", "-o", archive, "-d", tree]
            case .tar: ["/bin/tar", "-xf", archive, "-C", tree, "--no-same-owner", "--no-same-permissions"]
            case .tarGzip: ["/bin/tar", "-xzf", archive, "-C", tree, "--no-same-owner", "--no-same-permissions"]
            }
        _ = try await Self.runTool(argv, reference: reference)
        try await Self.offPool { () throws(AgentError) in
            try Self.normalise(tree, maxBytes: maxBytes, reference: reference)
        }
        var info = stat()
        if lstat(tree + "/bin/" + daemonName, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { return tree }
        if lstat(tree + "/" + daemonName, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            if mkdir(tree + "/bin", 0o755) == 0 || errno == EEXIST,
                rename(tree + "/" + daemonName, tree + "/bin/" + daemonName) == 0
            {
                return tree
            }
            throw AgentError(.download, "could not move \(tree)/\(daemonName) to the bin directory")
        }
        throw AgentError(
            .download,
            "url \(GoDuration.goQuote(reference)) result does not contain a bin/\(daemonName) or \(daemonName) file"
        )
    }

    /// The archive's members, from its names-only and its verbose listing.
    private static func list(
        _ archive: String,
        kind: ArchiveKind,
        reference: String
    ) async throws(AgentError) -> ArchiveListing {
        switch kind {
        case .zip:
            let names = try await runTool(["/usr/bin/unzip", "-Z1", archive], reference: reference)
            let verbose = try await runTool(["/usr/bin/unzip", "-Zs", archive, "*"], reference: reference)
            return try ArchiveListing.zip(names: names, verbose: verbose, reference: reference)
        case .tar, .tarGzip:
            let flag = kind == .tar ? "" : "z"
            let names = try await runTool(["/bin/tar", "-t\(flag)f", archive], reference: reference)
            let verbose = try await runTool(["/bin/tar", "-tv\(flag)f", archive], reference: reference)
            return try ArchiveListing.tar(names: names, verbose: verbose, reference: reference)
        }
    }

    /// Runs `tar` or `unzip` through ``ChildProcess/capture(_:arguments:directory:captureErrorOutput:timeout:)``.
    ///
    /// - Returns: its stdout.
    /// - Throws: ``AgentError`` `cannot download binary. <tool> exited with …: <stderr>`.
    private static func runTool(_ argv: [String], reference: String) async throws(AgentError) -> String {
        let run: CapturedRun
        do {
            run = try await ChildProcess.capture(
                argv[0],
                arguments: Array(argv.dropFirst()),
                captureErrorOutput: true,
                timeout: extractTimeLimit
            )
        } catch {
            throw AgentError(.download, "cannot download binary. launching \(error)")
        }
        guard run.status.isSuccess else {
            let reason = run.timedOut ? "was stopped after \(GoDuration.format(extractTimeLimit))" : "\(run.status)"
            let message = run.errorOutput.split(whereSeparator: \.isNewline).prefix(3).joined(separator: "; ")
            throw AgentError(
                .download,
                "cannot download binary. \(argv[0]) \(reason) on \(GoDuration.goQuote(reference))"
                    + (message.isEmpty ? "" : ": " + String(message.prefix(500)))
            )
        }
        return run.output
    }

    /// Walks the extracted tree: refuses anything but files and directories, caps the total size, and
    /// sets sane modes (files 0755 or 0644, directories 0755).
    ///
    /// Blocking file I/O.
    static func normalise(_ tree: String, maxBytes: Int64, reference: String) throws(AgentError) {
        var pending = [tree]
        var total: Int64 = 0
        while let directory = pending.popLast() {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw AgentError(.download, "cannot download binary. cannot list \(directory)")
            }
            for name in names {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else {
                    throw AgentError(.download, "cannot download binary. lstat \(path): \(GoText.errno(errno))")
                }
                let mode: mode_t
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    pending.append(path)
                    mode = 0o755
                case S_IFREG:
                    total += Int64(info.st_size)
                    mode = info.st_mode & S_IXUSR != 0 ? 0o755 : 0o644
                default:
                    throw AgentError(
                        .download,
                        "archive \(GoDuration.goQuote(reference)): \(path) is not a regular file or directory"
                    )
                }
                if total > maxBytes {
                    throw AgentError(
                        .download,
                        "archive \(GoDuration.goQuote(reference)): more than \(maxBytes) bytes once extracted "
                            + "(NODE_AGENT_MAX_DOWNLOAD_BYTES)"
                    )
                }
                if info.st_mode & 0o7777 != mode, chmod(path, mode) != 0 {
                    throw AgentError(.download, "cannot download binary. chmod \(path): \(GoText.errno(errno))")
                }
            }
        }
    }

    /// Moves an extracted tree into place: a new upgrade directory gets the whole tree (libraries next to
    /// the binary included) in one rename; an existing one only gets its binary replaced.
    ///
    /// Blocking file I/O.
    static func installTree(_ tree: String, daemonName: String, into upgradeDirectory: String) throws(AgentError) {
        do {
            try ExecutableFile.ensure(tree + "/bin/" + daemonName)
            if !FileManager.default.fileExists(atPath: upgradeDirectory), rename(tree, upgradeDirectory) == 0 {
                return
            }
            try FileManager.default.createDirectory(
                atPath: upgradeDirectory + "/bin",
                withIntermediateDirectories: true
            )
            try AtomicFile.install(
                tree + "/bin/" + daemonName,
                at: upgradeDirectory + "/bin/" + daemonName,
                mode: 0o755
            )
        } catch {
            throw AgentError(.download, "downloaded binary doesn't check out: \(error)")
        }
    }
}
