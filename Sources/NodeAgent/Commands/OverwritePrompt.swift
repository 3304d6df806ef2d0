/// The `[y/n]` question `init` asks before overwriting config.toml.
struct OverwritePrompt: Sendable {
    /// Prints the question and returns whether the answer is `y`/`Y`.
    let confirm: @Sendable (String) -> Bool

    /// Asks on stdout and reads one line from stdin; EOF, a read error or anything but one `y` token is "no".
    static let standardInput = OverwritePrompt { question in
        Console.standardOutput.write("\(question) [y/n]: ")
        guard let line = readLine() else { return false }
        let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return tokens.count == 1 && tokens[0].lowercased() == "y"
    }
}
