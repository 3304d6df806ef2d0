import Foundation
import Glibc

/// Wakes the supervisor when `data/upgrade-info.json` may have changed, using inotify on the data
/// directory (the node may write in place or replace the file by rename).
///
/// It is only a wake-up: the supervisor re-reads the file on every event, and keeps its stat poll at
/// `DAEMON_POLL_INTERVAL` for filesystems without inotify and for `IN_Q_OVERFLOW`. If the data directory
/// itself is replaced (`IN_DELETE_SELF`), ``rewatchIfNeeded()`` adds the watch again on the next poll.
final class UpgradeFileWatcher: @unchecked Sendable {  // `lock` guards `watch`; the fds are immutable.
    private let directory: String
    private let fileName: String
    private let inotifyFD: Int32
    private let stopPipe: [Int32]
    private let lock = NSLock()
    private var watch: Int32 = -1
    private let onChange: @Sendable () -> Void

    /// Starts watching; returns `nil` when inotify is unavailable (the poll then does all the work).
    init?(directory: String, fileName: String, onChange: @escaping @Sendable () -> Void) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        var fds: [Int32] = [-1, -1]
        guard ChildProcess.makePipe(&fds) else {
            close(fd)
            return nil
        }
        self.directory = directory
        self.fileName = fileName
        self.inotifyFD = fd
        self.stopPipe = fds
        self.onChange = onChange
        _ = rewatchIfNeeded()
        let thread = Thread { [self] in self.loop() }
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// Adds the directory watch if it is missing; returns whether a watch is active.
    @discardableResult
    func rewatchIfNeeded() -> Bool {
        lock.withLock {
            if watch >= 0 { return true }
            let mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
            watch = inotify_add_watch(inotifyFD, directory, UInt32(mask))
            return watch >= 0
        }
    }

    /// Stops the thread and closes the descriptors.
    func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe[1], &byte, 1)
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = [
            pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopPipe[0], events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || fds[1].revents != 0 { break }
            var relevant = false
            while true {
                let n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                relevant = parse(buffer, count: n) || relevant
            }
            if relevant { onChange() }
        }
        close(inotifyFD)
        close(stopPipe[0])
        close(stopPipe[1])
    }

    /// Walks the event records; the name bytes follow the 16-byte header (the flexible array member is not imported).
    private func parse(_ buffer: [UInt8], count: Int) -> Bool {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        var relevant = false
        while offset + header <= count {
            let (mask, length) = buffer.withUnsafeBytes { raw -> (UInt32, Int) in
                let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                return (event.mask, Int(event.len))
            }
            let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix { $0 != 0 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                lock.withLock {
                    if watch >= 0 { inotify_rm_watch(inotifyFD, watch) }
                    watch = -1
                }
                relevant = true
            } else if mask & UInt32(IN_Q_OVERFLOW) != 0 || name == fileName {
                relevant = true
            }
            offset += header + length
        }
        return relevant
    }
}
