import CSSH2
import Glibc
import Synchronization

/// AES-CTR for libssh2 in bulk: libssh2 1.10 encrypts and decrypts every packet 16 bytes per `EVP_Cipher`
/// call, and with AES-CTR each call runs one AES block through OpenSSL's provider dispatch. During an
/// upload that was a third of fleet's CPU time.
///
/// CTR's keystream does not depend on the data, so this file takes the place of four OpenSSL functions
/// for the process (the executable's definitions come first in symbol lookup; `Package.swift` exports
/// them): a CTR context that `EVP_CipherInit` sets up (the only way libssh2 creates one) gets a buffer
/// in its app data; `EVP_Cipher` on it XORs from that buffer and refills it ``bufferSize`` bytes at a
/// time by encrypting zeros with OpenSSL's own `EVP_Cipher`, so the bytes on the wire are exactly those
/// OpenSSL would produce. Each keystream byte is used once, in order; `EVP_CIPHER_CTX_free` and
/// `EVP_CIPHER_CTX_reset` wipe and free the buffer. Every other context, cipher mode and caller goes
/// straight to OpenSSL.
enum LibSSH2Keystream {
    // Computed constants, so the per-call path reads no lazily initialised global.

    /// Keystream bytes made per refill: large enough for OpenSSL's pipelined AES-NI path.
    static var bufferSize: Int { 4096 }

    /// Marks app data as a buffer of ours ("fleetks1").
    static var magic: UInt64 { 0x3173_6b74_6565_6c66 }

    /// Bytes before the keystream in a buffer: the magic and the read position.
    static var headerSize: Int { 16 }

    /// Bytes of one buffer: header and keystream.
    static var allocationSize: Int { headerSize + bufferSize }

    /// `EVP_CIPH_CTR_MODE`, and the `EVP_CIPH_MODE` mask of a cipher's flags.
    static let ctrMode: UInt = 0x5
    static let modeMask: UInt = 0xF0007

    /// Keystream refills since start, for tests that check the bulk path is in use.
    static let refills = Atomic<Int>(0)

    /// OpenSSL's own functions, found past ours; nil when libcrypto is not loaded.
    static let openSSL: OpenSSL? = OpenSSL()

    /// The functions of the libcrypto loaded in the process: the four we stand in for, and those the
    /// buffer needs (nil when this libcrypto lacks one: then every context goes straight to OpenSSL).
    struct OpenSSL: Sendable {
        typealias Cipher =
            @convention(c) (
                OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafePointer<UInt8>?, UInt32
            ) -> Int32
        typealias CipherInit =
            @convention(c) (
                OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, Int32
            ) -> Int32

        let cipher: Cipher
        let cipherInit: CipherInit
        let contextFree: @convention(c) (OpaquePointer?) -> Void
        let contextReset: @convention(c) (OpaquePointer?) -> Int32
        let buffers: Buffers?

        /// What attaching a buffer to a context takes.
        struct Buffers: Sendable {
            let setAppData: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void
            let cipherFlags: @convention(c) (OpaquePointer?) -> UInt
            let cleanse: @convention(c) (UnsafeMutableRawPointer?, Int) -> Void
        }

        init?() {
            // RTLD_NEXT: the next definition after this executable's, i.e. libcrypto's.
            let next = UnsafeMutableRawPointer(bitPattern: -1)
            func find<T>(_ names: String..., as type: T.Type) -> T? {
                for name in names {
                    if let symbol = dlsym(next, name) { return unsafeBitCast(symbol, to: type) }
                }
                return nil
            }
            guard let cipher = find("EVP_Cipher", as: Cipher.self),
                let cipherInit = find("EVP_CipherInit", as: CipherInit.self),
                let contextFree = find("EVP_CIPHER_CTX_free", as: (@convention(c) (OpaquePointer?) -> Void).self),
                let contextReset = find("EVP_CIPHER_CTX_reset", as: (@convention(c) (OpaquePointer?) -> Int32).self)
            else { return nil }
            (self.cipher, self.cipherInit, self.contextFree, self.contextReset) =
                (cipher, cipherInit, contextFree, contextReset)
            if let setAppData = find(
                "EVP_CIPHER_CTX_set_app_data",
                as: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void).self),
                // OpenSSL 3 renamed EVP_CIPHER_flags.
                let cipherFlags = find(
                    "EVP_CIPHER_get_flags", "EVP_CIPHER_flags", as: (@convention(c) (OpaquePointer?) -> UInt).self),
                let cleanse = find("OPENSSL_cleanse", as: (@convention(c) (UnsafeMutableRawPointer?, Int) -> Void).self)
            {
                buffers = Buffers(setAppData: setAppData, cipherFlags: cipherFlags, cleanse: cleanse)
            } else {
                buffers = nil
            }
        }

        /// Wipes and frees the buffer of `context`, if it has one.
        func dropBuffer(of context: OpaquePointer?) {
            guard let context, let buffers, let buffer = LibSSH2Keystream.buffer(of: context) else { return }
            buffers.setAppData(context, nil)
            buffers.cleanse(buffer, LibSSH2Keystream.allocationSize)
            buffer.deallocate()
        }

        /// Gives `context` (just set up with `cipher`) an empty keystream buffer when the cipher is CTR.
        func attachBuffer(to context: OpaquePointer, cipher: OpaquePointer) {
            guard let buffers, EVP_CIPHER_CTX_get_app_data(UnsafeRawPointer(context)) == nil,
                buffers.cipherFlags(cipher) & LibSSH2Keystream.modeMask == LibSSH2Keystream.ctrMode
            else { return }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: LibSSH2Keystream.allocationSize, alignment: 16)
            buffer.storeBytes(of: LibSSH2Keystream.magic, as: UInt64.self)
            buffer.storeBytes(of: LibSSH2Keystream.bufferSize, toByteOffset: 8, as: Int.self)  // empty: refill first
            buffers.setAppData(context, buffer)
        }
    }

    /// The keystream buffer of `context`, if it has one of ours.
    @inline(__always)
    static func buffer(of context: OpaquePointer) -> UnsafeMutableRawPointer? {
        guard let data = EVP_CIPHER_CTX_get_app_data(UnsafeRawPointer(context)), data.load(as: UInt64.self) == magic
        else { return nil }
        return data
    }

    /// Encrypts (or decrypts) `count` bytes for a context with a buffer: XOR with the next keystream bytes.
    /// - Returns: false when OpenSSL failed to make more keystream.
    @inline(__always)
    static func apply(
        _ buffer: UnsafeMutableRawPointer, context: OpaquePointer,
        from input: UnsafePointer<UInt8>, to output: UnsafeMutablePointer<UInt8>, count: Int
    ) -> Bool {
        var position = buffer.load(fromByteOffset: 8, as: Int.self)
        if count == 16 && position <= bufferSize - 16 {  // libssh2's call: one AES block
            let key = UnsafeRawPointer(buffer + headerSize + position)
            let data = UnsafeRawPointer(input)
            let out = UnsafeMutableRawPointer(output)
            out.storeBytes(
                of: key.loadUnaligned(as: UInt64.self) ^ data.loadUnaligned(as: UInt64.self), as: UInt64.self)
            out.storeBytes(
                of: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    ^ data.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                toByteOffset: 8, as: UInt64.self)
            buffer.storeBytes(of: position + 16, toByteOffset: 8, as: Int.self)
            return true
        }
        let stream = (buffer + headerSize).assumingMemoryBound(to: UInt8.self)
        var done = 0
        while done < count {
            if position == bufferSize {
                guard refill(stream, context: context) else { return false }
                position = 0
            }
            let run = min(count - done, bufferSize - position)
            for index in 0..<run { output[done + index] = input[done + index] ^ stream[position + index] }
            position += run
            done += run
        }
        buffer.storeBytes(of: position, toByteOffset: 8, as: Int.self)
        return true
    }

    /// Makes the next ``bufferSize`` keystream bytes: OpenSSL's CTR encryption of zeros.
    @inline(never)
    static func refill(_ stream: UnsafeMutablePointer<UInt8>, context: OpaquePointer) -> Bool {
        guard let openSSL else { return false }
        memset(stream, 0, bufferSize)
        guard openSSL.cipher(context, stream, stream, UInt32(bufferSize)) > 0 else { return false }
        refills.add(1, ordering: .relaxed)
        return true
    }
}

/// OpenSSL's `EVP_CipherInit`; a successful AES-CTR set-up also gets a keystream buffer (``LibSSH2Keystream``).
/// Called by libssh2, never by fleet's code.
@_cdecl("EVP_CipherInit")
public func libssh2KeystreamCipherInit(
    _ context: OpaquePointer?, _ cipher: OpaquePointer?, _ key: UnsafePointer<UInt8>?, _ iv: UnsafePointer<UInt8>?,
    _ encrypt: Int32
) -> Int32 {
    guard let openSSL = LibSSH2Keystream.openSSL else { return 0 }
    openSSL.dropBuffer(of: context)
    let rc = openSSL.cipherInit(context, cipher, key, iv, encrypt)
    if rc == 1, let context, let cipher { openSSL.attachBuffer(to: context, cipher: cipher) }
    return rc
}

/// OpenSSL's `EVP_Cipher`, from the keystream buffer for a context that has one (``LibSSH2Keystream``).
/// Called by libssh2, never by fleet's code. Returns 1 on success, which both OpenSSL 1.1's and 3's
/// callers accept, and -1 on failure.
@_cdecl("EVP_Cipher")
public func libssh2KeystreamCipher(
    _ context: OpaquePointer?, _ output: UnsafeMutablePointer<UInt8>?, _ input: UnsafePointer<UInt8>?, _ count: UInt32
) -> Int32 {
    if let context, let output, let input, let buffer = LibSSH2Keystream.buffer(of: context) {
        return LibSSH2Keystream.apply(buffer, context: context, from: input, to: output, count: Int(count)) ? 1 : -1
    }
    guard let openSSL = LibSSH2Keystream.openSSL else { return -1 }
    return openSSL.cipher(context, output, input, count)
}

/// OpenSSL's `EVP_CIPHER_CTX_free`, wiping the keystream buffer first (``LibSSH2Keystream``).
@_cdecl("EVP_CIPHER_CTX_free")
public func libssh2KeystreamContextFree(_ context: OpaquePointer?) {
    guard let openSSL = LibSSH2Keystream.openSSL else { return }
    openSSL.dropBuffer(of: context)
    openSSL.contextFree(context)
}

/// OpenSSL's `EVP_CIPHER_CTX_reset`, wiping the keystream buffer first (``LibSSH2Keystream``).
@_cdecl("EVP_CIPHER_CTX_reset")
public func libssh2KeystreamContextReset(_ context: OpaquePointer?) -> Int32 {
    guard let openSSL = LibSSH2Keystream.openSSL else { return 0 }
    openSSL.dropBuffer(of: context)
    return openSSL.contextReset(context)
}
