public import Foundation

/// What a finished command produced.
public struct CommandResult: Sendable {
    /// Everything the command wrote to stdout.
    public var stdout: Data
    /// Everything the command wrote to stderr.
    public var stderr: Data
    /// The exit code, or 128 + signal when the command was killed.
    public var exitCode: Int32

    /// stdout decoded as UTF-8.
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8.
    public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs real commands for tests: both pipes are drained concurrently, so a chatty command never blocks.
public enum ProcessRunner {
    /// Runs `argv` to completion.
    ///
    /// - Parameters:
    ///   - argv: the program (absolute path, or a name looked up in `PATH`) and its arguments.
    ///   - environment: extra variables on top of this process's environment.
    ///   - input: bytes written to the command's stdin, which is then closed.
    ///   - directory: the working directory.
    public static func run(
        _ argv: [String],
        environment: [String: String] = [:],
        input: Data? = nil,
        directory: String? = nil
    ) throws -> CommandResult {
        let process = Process()
        if argv[0].hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        // A thread of its own: a blocking read on DispatchQueue.global() would hold one of the few threads
        // Swift concurrency's cooperative pool shares with it on Linux, stalling every other test's tasks.
        Thread {
            errBox.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let code =
            process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(stdout: stdout, stderr: errBox.get(), exitCode: code)
    }
}

/// Runs blocking `work` on a new thread and waits for it without holding a cooperative thread.
///
/// Starting a sandbox or waiting for a command blocks for a second or more; with many suites doing that
/// at once on a 2-core machine, blocking the cooperative pool would stall every other test's timers.
public func runOffPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

extension ProcessRunner {
    /// ``run(_:environment:input:directory:)`` on its own thread, for async tests.
    public static func runAsync(
        _ argv: [String],
        environment: [String: String] = [:],
        input: Data? = nil,
        directory: String? = nil
    ) async throws -> CommandResult {
        try await runOffPool { try run(argv, environment: environment, input: input, directory: directory) }
    }
}

/// A value handed from the stderr reader thread to the caller; guarded by `lock`.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
