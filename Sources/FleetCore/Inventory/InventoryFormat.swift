/// The two inventory formats Ansible's own plugins read.
public enum InventoryFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ansible's INI format (`[group]`, `[group:vars]`, `[group:children]`).
    case ini
    /// Ansible's YAML format (`all:` with `hosts`, `vars` and `children`); JSON is read as YAML.
    case yaml

    /// The format for a file: by extension (`.ini`; `.yml`, `.yaml`, `.json`), else by sniffing `text`.
    ///
    /// Sniffing looks at the first line that is neither blank nor a comment: `---`, a line ending in
    /// `:` (such as `all:`) or containing `": "` or starting with `{` means YAML; anything else is INI.
    public static func detect(fileName: String, text: String) -> InventoryFormat {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            switch base[base.index(after: dot)...].lowercased() {
            case "ini": return .ini
            case "yml", "yaml", "json": return .yaml
            default: break
            }
        }
        return sniff(text)
    }

    private static func sniff(_ text: String) -> InventoryFormat {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingInventoryBlanks()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("---") || line.hasPrefix("{") || line.hasSuffix(":") || line.contains(": ") {
                return .yaml
            }
            return .ini
        }
        return .ini
    }
}
