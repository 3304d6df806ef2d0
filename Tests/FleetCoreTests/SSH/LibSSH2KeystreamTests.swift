@testable import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// The bulk AES-CTR stand-ins for libcrypto (`LibSSH2Keystream`): the process resolves OpenSSL's names to
/// them, and their output is byte for byte OpenSSL's, whatever the call sizes.
@Suite(.tags(.pure))
struct LibSSH2KeystreamTests {
    typealias NewContext = @convention(c) () -> OpaquePointer?
    typealias CipherByName = @convention(c) () -> OpaquePointer?
    typealias CipherInitEx =
        @convention(c) (
            OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, Int32
        ) -> Int32

    /// libcrypto functions the tests use directly, by name in the process's global scope.
    struct Crypto {
        let newContext: NewContext
        let aes128CTR: OpaquePointer
        let aes128CBC: OpaquePointer
        let initEx: CipherInitEx

        init() throws {
            func find<T>(_ name: String, as type: T.Type) throws -> T {
                let symbol = try #require(
                    dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), "libcrypto has no \(name)")
                return unsafeBitCast(symbol, to: type)
            }
            newContext = try find("EVP_CIPHER_CTX_new", as: NewContext.self)
            initEx = try find("EVP_CipherInit_ex", as: CipherInitEx.self)
            aes128CTR = try #require(try find("EVP_aes_128_ctr", as: CipherByName.self)())
            aes128CBC = try #require(try find("EVP_aes_128_cbc", as: CipherByName.self)())
        }
    }

    /// What OpenSSL itself makes of `data` with `key` and `iv`, in one call, on a context it set up.
    func reference(
        _ crypto: Crypto, cipher: OpaquePointer, key: [UInt8], iv: [UInt8], _ data: [UInt8]
    ) throws
        -> [UInt8]
    {
        let openSSL = try #require(LibSSH2Keystream.openSSL)
        let context = try #require(crypto.newContext())
        defer { openSSL.contextFree(context) }
        #expect(crypto.initEx(context, cipher, nil, key, iv, 1) == 1)
        var output = [UInt8](repeating: 0, count: data.count)
        #expect(openSSL.cipher(context, &output, data, UInt32(data.count)) > 0)
        return output
    }

    /// Runs `data` through the stand-ins in pieces of the given sizes (cycled).
    func piecewise(_ context: OpaquePointer, _ data: [UInt8], pieces: [Int]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: data.count)
        var offset = 0
        var index = 0
        while offset < data.count {
            let count = min(pieces[index % pieces.count], data.count - offset)
            let rc = data.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    libssh2KeystreamCipher(
                        context, out.baseAddress! + offset, input.baseAddress! + offset, UInt32(count))
                }
            }
            #expect(rc == 1)
            offset += count
            index += 1
        }
        return output
    }

    /// The address ranges /proc/self/maps gives this executable's file.
    func executableRanges() throws -> [Range<UInt>] {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).split(separator: "\n").compactMap {
            line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5] == executable else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            return bounds.count == 2 ? bounds[0]..<bounds[1] : nil
        }
    }

    func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    @Test func theProcessResolvesOpenSSLsNamesToTheStandIns() throws {
        let global = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT: what libssh2's calls bind to
        let libcrypto = try #require(dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD), "libcrypto.so.3 is not loaded")
        for name in ["EVP_Cipher", "EVP_CipherInit", "EVP_CIPHER_CTX_free", "EVP_CIPHER_CTX_reset"] {
            let bound = try #require(dlsym(global, name))
            #expect(bound != dlsym(libcrypto, name), "\(name) binds to libcrypto's, not the stand-in")
            #expect(
                try executableRanges().contains { $0.contains(UInt(bitPattern: bound)) },
                "\(name) is not this executable's")
        }
        let openSSL = try #require(LibSSH2Keystream.openSSL)
        #expect(openSSL.buffers != nil)
    }

    @Test(arguments: [[16], [1], [16, 16, 32, 1, 15, 4096, 5000, 7], [70_000]])
    func ctrOutputIsOpenSSLsForAnyCallSizes(pieces: [Int]) throws {
        let crypto = try Crypto()
        let (key, iv, data) = (random(16), random(16), random(70_000))
        for encrypt: Int32 in [1, 0] {
            let context = try #require(crypto.newContext())
            defer { libssh2KeystreamContextFree(context) }
            let refillsBefore = LibSSH2Keystream.refills.load(ordering: .relaxed)
            #expect(libssh2KeystreamCipherInit(context, crypto.aes128CTR, key, iv, encrypt) == 1)
            #expect(LibSSH2Keystream.buffer(of: context) != nil)
            #expect(
                piecewise(context, data, pieces: pieces)
                    == (try reference(crypto, cipher: crypto.aes128CTR, key: key, iv: iv, data)))
            #expect(
                LibSSH2Keystream.refills.load(ordering: .relaxed) - refillsBefore >= 70_000
                    / LibSSH2Keystream.bufferSize)
        }
    }

    @Test func aNewKeyOnTheSameContextStartsAFreshKeystream() throws {
        let crypto = try Crypto()
        let context = try #require(crypto.newContext())
        defer { libssh2KeystreamContextFree(context) }
        let data = random(10_000)
        for _ in 0..<3 {
            let (key, iv) = (random(16), random(16))
            #expect(libssh2KeystreamCipherInit(context, crypto.aes128CTR, key, iv, 1) == 1)
            _ = piecewise(context, random(100), pieces: [16])  // leaves keystream buffered
            #expect(libssh2KeystreamCipherInit(context, crypto.aes128CTR, key, iv, 1) == 1)
            #expect(
                piecewise(context, data, pieces: [16])
                    == (try reference(crypto, cipher: crypto.aes128CTR, key: key, iv: iv, data)))
        }
    }

    @Test func otherModesGoStraightToOpenSSL() throws {
        let crypto = try Crypto()
        let context = try #require(crypto.newContext())
        defer { libssh2KeystreamContextFree(context) }
        let (key, iv, data) = (random(16), random(16), random(4096))
        #expect(libssh2KeystreamCipherInit(context, crypto.aes128CBC, key, iv, 1) == 1)
        #expect(LibSSH2Keystream.buffer(of: context) == nil)
        var output = [UInt8](repeating: 0, count: data.count)
        #expect(libssh2KeystreamCipher(context, &output, data, UInt32(data.count)) > 0)
        #expect(output == (try reference(crypto, cipher: crypto.aes128CBC, key: key, iv: iv, data)))
    }
}
