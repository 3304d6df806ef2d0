/// Parses inventory text into a resolved ``Inventory``: a pure function, text in, value out.
///
/// Reads Ansible's INI and YAML formats unmodified, including host ranges (`sentry-[01:04]`,
/// `[a:c]`, `[1:10:2]`) and nested `children`. Variables are resolved with Ansible's precedence, later
/// winning: `all` group < parent group < child group (deeper wins; at equal depth, groups are ordered
/// by `ansible_group_priority`, then name) < `group_vars/all` < other `group_vars` files < host inline
/// variables < `host_vars` file. The files only exist when loading through ``InventoryLoader``.
///
/// ```swift
/// let inventory = try InventoryParser.parse(text: """
///     [validators]
///     val-1 ansible_host=10.0.0.5
///     """, format: .ini, fileName: "inventory.ini")
/// ```
public enum InventoryParser {
    /// Parses and resolves `text`.
    ///
    /// - Parameters:
    ///   - text: The inventory's contents.
    ///   - format: INI or YAML; `nil` picks by `fileName`'s extension, then by content.
    ///   - fileName: The name errors report (and the extension detection uses).
    /// - Returns: The resolved inventory.
    /// - Throws: ``InventoryError`` with the file, line and column of the first problem.
    public static func parse(
        text: String,
        format: InventoryFormat? = nil,
        fileName: String = "inventory"
    ) throws(InventoryError) -> Inventory {
        try InventoryResolver.resolve(document(text: text, format: format, fileName: fileName))
    }

    /// Parses `text` without resolving it (the loader adds variable files before resolving).
    static func document(
        text: String, format: InventoryFormat?, fileName: String
    ) throws(InventoryError)
        -> InventoryDocument
    {
        switch format ?? InventoryFormat.detect(fileName: fileName, text: text) {
        case .ini: try INIInventoryParser.parse(text, file: fileName)
        case .yaml: try YAMLInventoryParser.parse(text, file: fileName)
        }
    }
}
