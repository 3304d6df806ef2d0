/// A position in an inventory source, for error messages (1-based line and column).
struct InventorySourceLocation: Sendable, Hashable {
    var file: String
    var line: Int
    var column: Int

    init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A whole file without a position (a file that could not be read, an empty document).
    static func file(_ file: String) -> InventorySourceLocation {
        InventorySourceLocation(file: file, line: 0, column: 0)
    }
}

extension InventoryError {
    init(_ code: Code, at location: InventorySourceLocation, _ message: String) {
        self.init(
            code: code,
            file: location.file,
            line: location.line > 0 ? location.line : nil,
            column: location.line > 0 && location.column > 0 ? location.column : nil,
            message: message
        )
    }
}
