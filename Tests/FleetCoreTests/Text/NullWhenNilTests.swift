import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The one way a report keeps every key in its JSON: nil as `null`, where a plain optional leaves the key out.
@Suite("NullWhenNil", .tags(.pure))
struct NullWhenNilTests {
    struct Entry: Encodable, Hashable {
        var host: String
        @NullWhenNil var error: String?
        @NullWhenNil var pid: Int32?
        var note: String?
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("nil is written as null under its key; a plain optional beside it is left out")
    func nilIsNull() throws {
        #expect(try Self.json(Entry(host: "a", error: nil, pid: nil)) == #"{"error":null,"host":"a","pid":null}"#)
    }

    @Test("a value is written as the wrapped type writes it")
    func valueIsItself() throws {
        let entry = Entry(host: "a", error: "no \"key\"", pid: 7, note: "n")
        #expect(try Self.json(entry) == #"{"error":"no \"key\"","host":"a","note":"n","pid":7}"#)
    }

    @Test("reads, writes, equality and hashing are the wrapped value's")
    func behavesAsTheValue() {
        var entry = Entry(host: "a", error: nil, pid: nil)
        entry.error = "x"
        #expect(entry.error == "x")
        #expect(entry == Entry(host: "a", error: "x", pid: nil))
        #expect(entry != Entry(host: "a", error: "y", pid: nil))
        #expect(Set([entry, Entry(host: "a", error: "x", pid: nil)]).count == 1)
    }
}
