import Foundation

/// Reads an inventory file and the `group_vars/` and `host_vars/` directories beside it.
///
/// For every group `g` (including `all`) it reads `group_vars/g`, `group_vars/g.yml`, `.yaml` and `.json`
/// when present, and every such file inside a `group_vars/g/` directory (sorted by name, later files
/// winning); `host_vars/<host>` likewise. Each file is a YAML mapping of variables. Parsing and
/// precedence are ``InventoryParser``'s; this type only does the reading.
public enum InventoryLoader {
    /// Loads and resolves the inventory at `path`.
    ///
    /// - Parameters:
    ///   - path: The inventory file; its format comes from the extension, else from the content.
    ///   - format: Forces a format instead of detecting it.
    /// - Returns: The resolved inventory.
    /// - Throws: ``InventoryError``; errors in variable files name those files.
    public static func load(path: String, format: InventoryFormat? = nil) throws(InventoryError) -> Inventory {
        let text = try read(path)
        let document = try InventoryParser.document(text: text, format: format, fileName: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let groupFiles = try variableFiles(in: directory.appendingPathComponent("group_vars"), for: document.groupOrder)
        let hostFiles = try variableFiles(in: directory.appendingPathComponent("host_vars"), for: document.hostOrder)
        return try InventoryResolver.resolve(document, groupFiles: groupFiles, hostFiles: hostFiles)
    }

    /// The merged variable files of each of `names` that has any in `directory`.
    ///
    /// The directory is listed once, so a 10,000-host inventory without `host_vars/` costs one `stat`.
    private static func variableFiles(
        in directory: URL, for names: [String]
    ) throws(InventoryError)
        -> [String: [String: InventoryVariable]]
    {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [:] }
        let present = Set(entries)
        var result: [String: [String: InventoryVariable]] = [:]
        for name in names where ["", ".yml", ".yaml", ".json"].contains(where: { present.contains(name + $0) }) {
            let vars = try variables(in: directory, named: name)
            if !vars.isEmpty { result[name] = vars }
        }
        return result
    }

    /// Merges every variable file for `name` under `directory` (`name`, `name.yml`, `name.yaml`,
    /// `name.json`, then the files of a `name/` directory).
    private static func variables(
        in directory: URL, named name: String
    ) throws(InventoryError)
        -> [String: InventoryVariable]
    {
        let manager = FileManager.default
        var files: [String] = []
        for suffix in ["", ".yml", ".yaml", ".json"] {
            let candidate = directory.appendingPathComponent(name + suffix).path
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(candidate)
            }
        }
        let folder = directory.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue {
            let entries: [String]
            do {
                entries = try manager.contentsOfDirectory(atPath: folder.path)
            } catch {
                let reason = access(folder.path, R_OK | X_OK) == 0 ? "cannot be listed" : GoText.errno(errno)
                throw InventoryError(.unreadableFile, at: .file(folder.path), "cannot list directory: \(reason)")
            }
            for entry in entries.sorted() where !entry.hasPrefix(".") {
                let ext = (entry as NSString).pathExtension.lowercased()
                guard ["", "yml", "yaml", "json"].contains(ext) else { continue }
                files.append(folder.appendingPathComponent(entry).path)
            }
        }
        var result: [String: InventoryVariable] = [:]
        for file in files {
            let vars = try YAMLInventoryParser.variables(try read(file), file: file)
            result.merge(vars) { _, new in new }
        }
        return result
    }

    /// The file's text; errors say why in the system's words (`no such file or directory`,
    /// `permission denied`, `is a directory`), never Foundation's "operation could not be completed".
    private static func read(_ path: String) throws(InventoryError) -> String {
        switch PosixFile.readAll(path) {
        case .success(let data):
            guard let text = String(validating: data, as: UTF8.self) else {
                throw InventoryError(.unreadableFile, at: .file(path), "cannot read the file: it is not UTF-8 text")
            }
            return text
        case .failure(let error):
            throw InventoryError(.unreadableFile, at: .file(path), "cannot read the file: \(GoText.errno(error.code))")
        }
    }
}
