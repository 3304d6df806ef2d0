/// A plain-text table whose column widths count what a terminal shows: ANSI colour escapes take no
/// room and East Asian wide characters take two columns.
struct TextTable {
    /// Column headings.
    var headers: [String]
    /// Rows of cells; a row that is a single `nil`-padded section title is drawn across the table.
    var rows: [Row] = []

    /// A table row.
    enum Row {
        /// Cells under the headings.
        case cells([String])
        /// A section title line (e.g. a role group).
        case section(String)
    }

    /// Renders the table, columns separated by two spaces, no trailing blanks.
    func render() -> String {
        var widths = headers.map(Self.visibleWidth)
        for case .cells(let cells) in rows {
            for (index, cell) in cells.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Self.visibleWidth(cell))
            }
        }
        var lines = [line(headers, widths)]
        for row in rows {
            switch row {
            case .cells(let cells): lines.append(line(cells, widths))
            case .section(let title): lines.append(title)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var out = ""
        for (index, width) in widths.enumerated() {
            let cell = index < cells.count ? cells[index] : ""
            out += cell
            if index < widths.count - 1 {
                out += String(repeating: " ", count: width - Self.visibleWidth(cell) + 2)
            }
        }
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// Terminal columns taken by `text`: SGR escapes removed, wide characters counted twice.
    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar.value >= 0x40 && scalar.value <= 0x7E && scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" {
                inEscape = true
                continue
            }
            if scalar.properties.generalCategory == .nonspacingMark || scalar.value == 0x200D { continue }
            width += isWide(scalar) ? 2 : 1
        }
        return width
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
