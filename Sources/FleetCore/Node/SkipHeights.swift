/// The heights named by `--unsafe-skip-upgrades` in the node's arguments (spec §5.11).
///
/// Cosmovisor only understands `--unsafe-skip-upgrades 10 20` (space-separated values up to the next
/// argument starting with `-`, non-integers ignored, first occurrence only). The SDK's own flag is an
/// int slice, so operators also write `--unsafe-skip-upgrades 10,20`, `--unsafe-skip-upgrades=10` and
/// repeat the flag. ``parse(_:)`` accepts all of these and every occurrence, so the agent skips exactly
/// the heights the node skips.
///
/// ```swift
/// SkipHeights.parse(["start", "--unsafe-skip-upgrades", "10", "20", "--abcd", "34"])  // [10, 20]
/// SkipHeights.parse(["start", "--unsafe-skip-upgrades=10,20"])                        // [10, 20]
/// ```
public enum SkipHeights {
    /// The flag's name.
    public static let flag = "--unsafe-skip-upgrades"

    /// The skip heights in `arguments` (the node's arguments, not the agent's), in order, without repeats.
    public static func parse(_ arguments: [String]) -> [Int64] {
        var heights: [Int64] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument.hasPrefix(flag + "=") {
                append(values(in: argument.dropFirst(flag.count + 1)), to: &heights)
            } else if argument == flag {
                while index < arguments.endIndex, !arguments[index].hasPrefix("-") {
                    append(values(in: Substring(arguments[index])), to: &heights)
                    index += 1
                }
            }
        }
        return heights
    }

    /// Whether `height` is one of the skip heights in `arguments`.
    public static func contains(_ height: Int64, in arguments: [String]) -> Bool {
        parse(arguments).contains(height)
    }

    private static func values(in text: Substring) -> [Int64] {
        text.split(separator: ",").compactMap { part in
            let trimmed = part.trimmingSpaces()
            guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII) else { return nil }
            return Int64(trimmed)
        }
    }

    private static func append(_ values: [Int64], to heights: inout [Int64]) {
        for value in values where !heights.contains(value) {
            heights.append(value)
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
