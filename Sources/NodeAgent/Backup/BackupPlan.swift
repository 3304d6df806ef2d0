/// What a backup of the data directory will do with each entry, and what it costs: the pure half of
/// ``DataBackup`` (the walk and the I/O are the other half).
///
/// LevelDB and Pebble write their table files (`*.ldb`, `*.sst`) once and never modify them in place
/// (they are replaced by new files and deleted), so a hard link to one is a snapshot of it. Every other
/// file (`*.log`, `MANIFEST-*`, `CURRENT`, `LOCK`, `cs.wal/`, `priv_validator_state.json`, anything
/// unknown) can change in place and is copied. Where the file system clones extents (`FICLONE`: btrfs,
/// XFS with reflink, bcachefs), every file is cloned instead, which is a snapshot whatever the file.
///
/// ```swift
/// let plan = BackupPlan(entries, method: .hardLink)
/// if let refusal = plan.refusal(freeBytes: free, in: backupDirectory) { throw … }
/// ```
struct BackupPlan: Sendable, Equatable {
    /// How files reach the backup.
    enum Method: String, Sendable, Codable {
        /// Every file cloned (`ioctl FICLONE`): copy-on-write, no data written.
        case reflink
        /// Table files hard-linked, everything else copied.
        case hardLink = "hardlink"
        /// Everything copied (the backup directory is on another file system than the data).
        case copy
    }

    /// What happens to one entry.
    enum Action: String, Sendable, Codable {
        /// A directory is created (mode applied once its contents are in).
        case directory
        /// The link is re-created with the same target.
        case symlink
        /// Cloned (``Method/reflink``) or hard-linked (``Method/hardLink``): no bytes written.
        case share
        /// The bytes are copied.
        case copy
        /// Not backed up (a socket, FIFO or device).
        case skip
    }

    /// One entry and its action.
    struct Item: Sendable, Equatable {
        var entry: BackupEntry
        var action: Action
    }

    /// The block size the space estimate rounds each written file and directory up to.
    static let blockSize: Int64 = 4096
    /// Room kept for the manifest and file-system metadata on top of the copied bytes.
    static let margin: Int64 = 1 << 20

    var method: Method
    /// Every entry, parents before children (the walk's order).
    var items: [Item]
    /// Bytes of the files cloned or hard-linked.
    var sharedBytes: Int64
    /// Bytes of the files copied.
    var copiedBytes: Int64
    /// What the backup takes on its file system: copied files and directories rounded up to
    /// ``blockSize``, plus ``margin``.
    var bytesNeeded: Int64

    /// Decides every entry.
    init(_ entries: [BackupEntry], method: Method) {
        self.method = method
        var shared: Int64 = 0
        var copied: Int64 = 0
        var needed = Self.margin
        items = entries.map { entry in
            let action: Action
            switch entry.kind {
            case .directory:
                action = .directory
                needed += Self.blockSize
            case .symlink: action = .symlink
            case .special: action = .skip
            case .file:
                switch method {
                case .reflink: action = .share
                case .hardLink: action = Self.isImmutable(entry) ? .share : .copy
                case .copy: action = .copy
                }
            }
            if action == .share { shared += entry.size }
            if action == .copy {
                copied += entry.size
                needed += (entry.size + Self.blockSize - 1) / Self.blockSize * Self.blockSize
            }
            return Item(entry: entry, action: action)
        }
        sharedBytes = shared
        copiedBytes = copied
        bytesNeeded = needed
    }

    /// Whether LevelDB/Pebble never modify this file in place once written: `*.ldb` and `*.sst`.
    static func isImmutable(_ entry: BackupEntry) -> Bool {
        // Bytes, not Characters: this runs once per file of a database with hundreds of thousands of them.
        let bytes = entry.path.utf8
        return bytes.count > 4
            && (bytes.suffix(4).elementsEqual(".ldb".utf8) || bytes.suffix(4).elementsEqual(".sst".utf8))
    }

    /// Regular files the backup will hold.
    var fileCount: Int { items.count { $0.entry.kind == .file } }

    /// The refusal to start when `freeBytes` (what `statvfs` gives an unprivileged writer) cannot hold
    /// ``bytesNeeded``; `nil` when it can.
    func refusal(freeBytes: Int64, in directory: String) -> String? {
        guard freeBytes < bytesNeeded else { return nil }
        let copies = items.count { $0.action == .copy }
        return "not enough free space for the data backup in \(directory): \(bytesNeeded) bytes needed "
            + "(\(copiedBytes) bytes to copy in \(copies) files, \(method.rawValue) mode), \(freeBytes) bytes free"
    }
}
