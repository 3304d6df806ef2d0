import Glibc

/// Whether an output is systemd's journal: `JOURNAL_STREAM` holds `<device>:<inode>` of the stream
/// systemd connected, and systemd.exec(7) asks to compare it with the descriptor itself (a program may
/// have been started by a service with its output sent elsewhere, the variable still set).
enum JournalStream {
    /// Whether `fd` is the stream `JOURNAL_STREAM` names.
    static func isConnected(_ fd: Int32, environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], let expected = parse(value) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        return UInt64(info.st_dev) == expected.device && UInt64(info.st_ino) == expected.inode
    }

    /// `<device>:<inode>` in decimal; `nil` for anything else.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
