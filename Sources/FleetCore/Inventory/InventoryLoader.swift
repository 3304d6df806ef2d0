import Foundation

/// Reads inventory sources, as Ansible does, and the `group_vars/` and `host_vars/` directories beside them.
///
/// A source is one of:
/// - a file in Ansible's INI or YAML format (its format from the extension, else from the content);
/// - a JSON listing as `ansible-inventory --list` prints it (recognised by content, see
///   ``InventoryListingParser``);
/// - an executable: a dynamic inventory, run with `--list` (and `--host h` per host when its JSON has no
///   `_meta`), bounded by ``SourceOptions``;
/// - a directory: every entry in sorted order, skipping hidden names, `group_vars`, `host_vars`,
///   `vars_plugins` and Ansible's ignored extensions (``ignoredExtensions``), each read as a source
///   (subdirectories too);
/// - a comma list of hosts (`host1,host2:2222,`) when no such path exists.
///
/// Several sources are merged into one inventory, later ones adding hosts, groups and winning on variables.
/// Beside each file source (and inside each directory source), for every group `g` (including `all`) it
/// reads, as Ansible does, the first that exists of a `group_vars/g/` folder (every `.yml`, `.yaml`, `.json`
/// or extension-less file in it and in its extension-less subfolders, sorted by name, later files winning),
/// a `group_vars/g` file, `g.yml`, `g.yaml`, `g.json`; `host_vars/<host>` likewise. Each file is a YAML
/// mapping of variables. Parsing and precedence are ``InventoryParser``'s.
public enum InventoryLoader {
    /// Bounds on dynamic-inventory executables.
    public struct SourceOptions: Sendable, Hashable {
        /// How long one run of an inventory executable may take; default 30 s.
        public var scriptTimeout: Duration
        /// The most bytes of JSON an inventory executable may print; default 64 MiB.
        public var scriptOutputLimit: Int

        /// Creates options; see the properties.
        public init(scriptTimeout: Duration = .seconds(30), scriptOutputLimit: Int = 64 << 20) {
            self.scriptTimeout = scriptTimeout
            self.scriptOutputLimit = scriptOutputLimit
        }
    }

    /// File extensions Ansible skips in an inventory directory (`INVENTORY_IGNORE_EXTS`, ansible-core 2.14);
    /// `.ini` is among them, so INI files in a directory need another name (`hosts`, `10-sentries`).
    public static let ignoredExtensions = [
        ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry",
    ]

    /// Loads and resolves the inventory file at `path`.
    ///
    /// - Parameters:
    ///   - path: The inventory file; its format comes from the extension, else from the content.
    ///   - format: Forces a format instead of detecting it.
    /// - Returns: The resolved inventory.
    /// - Throws: ``InventoryError``; errors in variable files name those files.
    public static func load(path: String, format: InventoryFormat? = nil) throws(InventoryError) -> Inventory {
        let text = try read(path)
        let document = try InventoryParser.document(text: text, format: format, fileName: path)
        return try resolve(document, variableDirectories: [directory(of: path)])
    }

    /// Loads every source (file, directory, executable, JSON listing or host list) and merges them.
    ///
    /// - Throws: ``InventoryError`` naming the source (and the file, line and column inside it).
    public static func load(
        sources: [String], options: SourceOptions = SourceOptions()
    ) throws(InventoryError) -> Inventory {
        var document = InventoryDocument(file: sources.first ?? "inventory")
        var variableDirectories: [String] = []
        let limits = InventoryScript.Limits(timeout: options.scriptTimeout, outputLimit: options.scriptOutputLimit)
        for source in sources {
            if isDirectory(source) {
                guard try loadDirectory(source, limits: limits, into: &document) > 0 else {
                    throw InventoryError(
                        .unreadableFile, at: .file(source),
                        "no inventory in the directory (hidden names, group_vars, host_vars and "
                            + "\(ignoredExtensions.joined(separator: " ")) files are skipped, as Ansible does)")
                }
                variableDirectories.append(source)
            } else if !FileManager.default.fileExists(atPath: source), source.contains(",") {
                document.merge(hostList(source))
            } else {
                document.merge(try loadFile(source, limits: limits))
                variableDirectories.append(directory(of: source))
            }
        }
        return try resolve(document, variableDirectories: variableDirectories)
    }

    /// Resolves `document` with the variable files of every directory (later directories winning).
    private static func resolve(
        _ document: InventoryDocument, variableDirectories: [String]
    ) throws(InventoryError) -> Inventory {
        var groupFiles: [String: [String: InventoryVariable]] = [:]
        var hostFiles: [String: [String: InventoryVariable]] = [:]
        var seen: Set<String> = []
        for directory in variableDirectories where seen.insert(directory).inserted {
            let base = URL(fileURLWithPath: directory)
            let groups = try variableFiles(in: base.appendingPathComponent("group_vars"), for: document.groupOrder)
            groupFiles.merge(groups) { old, new in old.merging(new) { _, later in later } }
            let hosts = try variableFiles(in: base.appendingPathComponent("host_vars"), for: document.hostOrder)
            hostFiles.merge(hosts) { old, new in old.merging(new) { _, later in later } }
        }
        return try InventoryResolver.resolve(document, groupFiles: groupFiles, hostFiles: hostFiles)
    }

    // MARK: - Sources

    /// One file: an executable, a JSON listing, or an INI/YAML inventory.
    private static func loadFile(
        _ path: String, limits: InventoryScript.Limits
    ) throws(InventoryError)
        -> InventoryDocument
    {
        if access(path, X_OK) == 0, !isDirectory(path) {
            let list = try InventoryScript.run(path, arguments: ["--list"], limits: limits)
            do {
                return try InventoryListingParser.parse(try text(list, from: path), source: path) {
                    host throws(InventoryError) in
                    let output = try InventoryScript.run(path, arguments: ["--host", host], limits: limits)
                    return try YAMLInventoryParser.variables(try text(output, from: path), file: path)
                }
            } catch  where error.code == .yamlSyntax {
                throw InventoryError(
                    code: .inventoryScript, file: path, line: error.line, column: error.column,
                    message: "the inventory script printed invalid JSON: \(error.message)")
            }
        }
        let contents = try read(path)
        if InventoryListingParser.isListing(contents) {
            return try InventoryListingParser.parse(contents, source: path) { _ throws(InventoryError) in [:] }
        }
        return try InventoryParser.document(text: contents, format: nil, fileName: path)
    }

    /// Every inventory in `directory`, in Ansible's order, merged.
    /// - Returns: how many inventory files were read (in subdirectories too).
    @discardableResult
    private static func loadDirectory(
        _ directory: String, limits: InventoryScript.Limits, into document: inout InventoryDocument
    ) throws(InventoryError) -> Int {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            let reason = access(directory, R_OK | X_OK) == 0 ? "cannot be listed" : GoText.errno(errno)
            throw InventoryError(.unreadableFile, at: .file(directory), "cannot list directory: \(reason)")
        }
        var count = 0
        // Python's sorted() on names: by code point, as UTF-8 byte order gives.
        for entry in entries.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        where !isIgnored(entry) {
            let path = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
            if isDirectory(path) {
                count += try loadDirectory(path, limits: limits, into: &document)
            } else {
                document.merge(try loadFile(path, limits: limits))
                count += 1
            }
        }
        return count
    }

    /// Whether Ansible skips `name` in an inventory directory.
    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || ["group_vars", "host_vars", "vars_plugins"].contains(name)
            || ignoredExtensions.contains { name.hasSuffix($0) }
    }

    /// Ansible's `host_list` source: `host1,host2:2222,` (blank entries skipped).
    private static func hostList(_ list: String) -> InventoryDocument {
        var document = InventoryDocument(file: list)
        for item in list.split(separator: ",") {
            let entry = item.trimmingInventoryBlanks()
            guard !entry.isEmpty else { continue }
            let (host, port) = InventoryHostRange.splitPort(entry)
            let vars = port.map { ["ansible_port": InventoryVariable(value: $0, location: .file(list))] } ?? [:]
            document.addHost(host, to: "ungrouped", vars: vars)
        }
        return document
    }

    private static func text(_ data: Data, from path: String) throws(InventoryError) -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InventoryError(.inventoryScript, at: .file(path), "`\(path)` printed text that is not UTF-8")
        }
        return text
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func directory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
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

    /// Merges the variable files for `name` under `directory`: the first that exists of a `name/` folder
    /// (its files, see ``variableFiles(inFolder:)``), a `name` file, `name.yml`, `name.yaml`, `name.json`.
    private static func variables(
        in directory: URL, named name: String
    ) throws(InventoryError)
        -> [String: InventoryVariable]
    {
        // Ansible reads only the first of `name` (a folder or a file), `name.yml`, `name.yaml`, `name.json`.
        var files: [String] = []
        for suffix in ["", ".yml", ".yaml", ".json"] {
            let candidate = directory.appendingPathComponent(name + suffix).path
            guard FileManager.default.fileExists(atPath: candidate) else { continue }
            files = isDirectory(candidate) ? try variableFiles(inFolder: candidate) : [candidate]
            break
        }
        var result: [String: InventoryVariable] = [:]
        for file in files {
            let vars = try YAMLInventoryParser.variables(try read(file), file: file)
            result.merge(vars) { _, new in new }
        }
        return result
    }

    /// The variable files in a `group_vars/<g>/` or `host_vars/<h>/` folder, as Ansible's loader finds them:
    /// sorted names, hidden and `~` names skipped, files without an extension or with `.yml`, `.yaml`,
    /// `.json`, and subfolders without an extension searched the same way.
    private static func variableFiles(inFolder folder: String) throws(InventoryError) -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            let reason = access(folder, R_OK | X_OK) == 0 ? "cannot be listed" : GoText.errno(errno)
            throw InventoryError(.unreadableFile, at: .file(folder), "cannot list directory: \(reason)")
        }
        var files: [String] = []
        for entry in entries.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        where !entry.hasPrefix(".") && !entry.hasSuffix("~") {
            let ext = (entry as NSString).pathExtension.lowercased()
            let path = folder + "/" + entry
            if isDirectory(path) {
                if ext.isEmpty { files += try variableFiles(inFolder: path) }
            } else if ["", "yml", "yaml", "json"].contains(ext) {
                files.append(path)
            }
        }
        return files
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
