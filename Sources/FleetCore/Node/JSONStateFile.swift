import Foundation

/// The one way the agent's small JSON state files are read and written (``AgentJSON``: snake_case keys,
/// sorted, one line), replaced atomically (``AtomicFile``) with mode 0644 in a directory created on demand.
enum JSONStateFile {
    /// Decodes the file at `path`, or returns `nil` when it does not exist.
    ///
    /// - Throws: ``NodeFileError`` when it cannot be read or decoded.
    static func read<Value: Decodable>(_ type: Value.Type, from path: String) throws(NodeFileError) -> Value? {
        guard let data = try AtomicFile.read(path) else { return nil }
        do {
            return try AgentJSON.decoder.decode(type, from: data)
        } catch {
            throw .decode(path: path, detail: "\(error)")
        }
    }

    /// Encodes `value` and replaces the file at `path` with it.
    ///
    /// - Throws: ``NodeFileError``.
    static func write<Value: Encodable>(_ value: Value, to path: String) throws(NodeFileError) {
        let data: Data
        do {
            data = try AgentJSON.encoder.encode(value)
        } catch {
            throw NodeFileError(code: .encode, path: path, operation: "encode", detail: "\(error)")
        }
        let directory = PosixFile.directory(of: path)
        if mkdir(directory, 0o755) != 0, errno != EEXIST { throw .syscall(.write, "mkdir", path: directory) }
        try AtomicFile.write(data + Data("\n".utf8), to: path, mode: 0o644)
    }
}
