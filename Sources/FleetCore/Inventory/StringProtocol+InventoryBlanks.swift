extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingInventoryBlanks() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
