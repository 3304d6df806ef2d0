import FleetCore
import Foundation

/// Draws the preflight matrix: one row per node, one column per check (`ok`, `FAIL`, `-`), then every
/// failing cell with what was seen. Node-supplied text is escaped and cut (``TerminalText``).
struct PreflightRenderer {
    /// Colour or not.
    var terminal: Terminal

    /// The whole matrix as text.
    func render(_ matrix: PreflightMatrix) -> String {
        let checks = PreflightCheck.allCases
        var table = TextTable(headers: ["NODE", "ROLE"] + checks.map(\.heading))
        for row in matrix.rows {
            var cells = [TerminalText.escaped(row.host), row.role]
            for check in checks {
                guard let cell = row.cell(check) else {
                    cells.append("?")
                    continue
                }
                cells.append(mark(cell))
            }
            table.rows.append(.cells(cells))
        }
        var out = "preflight for \(TerminalText.escaped(matrix.request.name))"
        if let height = matrix.request.height { out += " at height \(height)" }
        if let top = matrix.topHeight { out += " (fleet at \(top)" }
        if matrix.topHeight != nil {
            out += matrix.secondsPerBlock.map { String(format: ", %.2f s/block)", $0) } ?? ")"
        }
        out += "\n" + table.render()
        let failures = matrix.failures
        if failures.isEmpty {
            out += "\n" + terminal.paint("all \(matrix.rows.count) nodes ready", .green) + "\n"
        } else {
            out += "\n" + terminal.paint("NOT READY: \(failures.count) failing checks", .boldRed) + "\n"
            for line in failures { out += "  " + TerminalText.escaped(line, limit: TerminalText.messageLimit) + "\n" }
        }
        return out
    }

    /// A cell as shown in the table: `ok`/`FAIL`/`-` with a short detail for the informative columns.
    private func mark(_ cell: PreflightCell) -> String {
        let detail = TerminalText.escaped(cell.detail, limit: 40)
        switch cell.verdict {
        case .fail: return terminal.paint("FAIL", .red)
        case .skip: return cell.check == .version ? detail : "-"
        case .pass:
            switch cell.check {
            case .version, .sha256, .height: return terminal.paint(detail, .green)
            default: return terminal.paint("ok", .green)
            }
        }
    }

    /// The matrix as JSON (snake_case keys, sorted).
    func json(_ matrix: PreflightMatrix) throws -> Data {
        try NodeStatus.encoder.encode(matrix)
    }
}
