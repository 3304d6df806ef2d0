/// Makes untrusted text (anything a node sent, or a file the operator did not write) safe to print on a
/// terminal: control characters are shown as escapes instead of being obeyed, and the length is bounded.
///
/// Works on UTF-8 bytes. C0 controls, DEL and invalid UTF-8 bytes become `\xNN`; C1 controls
/// (U+0080–U+009F, which some terminals obey as ESC sequences), line and paragraph separators and
/// bidirectional overrides (which reorder what the operator sees) become `\u{NNNN}`. Newline and tab are
/// kept only where the caller renders multi-line text.
///
/// ```swift
/// TerminalText.escaped("v1\u{1B}]0;owned\u{07}")          // v1\x1b]0;owned\x07
/// TerminalText.escaped(output, keeping: .lineBreaks)        // exec output: lines kept
/// ```
public enum TerminalText {
    /// Which layout characters pass through unescaped.
    public struct Kept: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// `\n` and `\t` are kept (multi-line output); `\r` is always escaped, as it can overwrite a line.
        public static let lineBreaks = Kept(rawValue: 1)
    }

    /// The default bound for a single value (a version, a path, an error): 1 KiB.
    public static let valueLimit = 1024
    /// The bound for a message that quotes several values (an SSH error with fingerprints, a finding).
    public static let messageLimit = 4096

    /// `text` with its control characters escaped, cut after `limit` bytes of input with a note saying
    /// how many bytes were left out.
    public static func escaped(_ text: String, keeping kept: Kept = [], limit: Int = valueLimit) -> String {
        escaped(bytes: Array(text.utf8), keeping: kept, limit: limit)
    }

    /// `bytes` (for example a command's raw stdout) decoded as UTF-8 with invalid bytes and control
    /// characters escaped, cut after `limit` bytes of input.
    public static func escaped(
        bytes: some Collection<UInt8>, keeping kept: Kept = [], limit: Int = valueLimit
    ) -> String {
        let input = Array(bytes)
        let end = min(input.count, max(limit, 0))
        var out: [UInt8] = []
        out.reserveCapacity(end)
        var index = 0
        while index < end {
            let byte = input[index]
            if byte < 0x80 {
                if byte >= 0x20 && byte != 0x7F || kept.contains(.lineBreaks) && (byte == 0x0A || byte == 0x09) {
                    out.append(byte)
                } else {
                    out += hexEscape(byte)
                }
                index += 1
                continue
            }
            let length = sequenceLength(byte)
            // A character the limit cuts in two is left out whole.
            if length > 1 && index + length > end && end < input.count { break }
            guard length > 1, index + length <= end,
                let scalar = String(validating: input[index..<index + length], as: UTF8.self)?.unicodeScalars.first
            else {
                out += hexEscape(byte)
                index += 1
                continue
            }
            if isInvisibleControl(scalar) {
                out += Array("\\u{\(String(scalar.value, radix: 16, uppercase: true))}".utf8)
            } else {
                out += input[index..<index + length]
            }
            index += length
        }
        var text = String(decoding: out, as: UTF8.self)
        if index < input.count { text += "…(\(input.count - index) more bytes)" }
        return text
    }

    private static func hexEscape(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }

    /// The length of the UTF-8 sequence a lead byte starts, or 0 for a byte that cannot start one.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }

    /// C1 controls, line/paragraph separators and the bidirectional embedding, override and isolate marks.
    private static func isInvisibleControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }
}
