/// Quoting for unit files, as systemd.syntax(7) and systemd.service(5) read them.
///
/// Every value goes through specifier expansion, so `%` is written `%%`; quotes, backslashes and control
/// characters are C-escaped inside double quotes. `ExecStart=` also expands `$VAR`, so `$` is written `$$`
/// there; `Environment=` gives `$` no meaning, so it stays as it is.
enum SystemdSyntax {
    /// One `Environment=` assignment: `"KEY=value"`, quoted whatever the value holds (the form the
    /// cosmovisor guide's unit uses).
    static func environmentAssignment(_ key: String, _ value: String) -> String {
        "\"" + escape(key + "=" + value, dollar: false) + "\""
    }

    /// One word of a command line (`ExecStart=`): bare when it needs no quoting, else double-quoted.
    static func commandWord(_ word: String) -> String {
        let escaped = escape(word, dollar: true)
        let plain =
            !word.isEmpty && word != ";"
            && word.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7F && !"\"'\\".unicodeScalars.contains($0)
            }
        return plain ? escaped : "\"" + escaped + "\""
    }

    /// `text` with specifiers (and, when `dollar`, variables) neutralised and C escapes for what a quoted
    /// string cannot hold as is.
    static func escape(_ text: String, dollar: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%%"
            case "$" where dollar: out += "$$"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
