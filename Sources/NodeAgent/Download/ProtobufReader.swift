/// A minimal protobuf wire-format reader (varint, 64-bit, length-delimited, 32-bit fields).
struct ProtobufReader {
    /// One field's value.
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    private var bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next field, `nil` at the end.
    mutating func next() throws(AgentError) -> (number: Int, value: Value)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        let number = Int(key >> 3)
        switch key & 7 {
        case 0: return (number, .varint(try varint()))
        case 1: return (number, .fixed64(try fixed(8)))
        case 2:
            let length = Int(try varint())
            guard length >= 0, offset + length <= bytes.count else {
                throw AgentError(.download, "failed to query upgrade info: truncated protobuf")
            }
            defer { offset += length }
            return (number, .bytes(Array(bytes[offset..<offset + length])))
        case 5: return (number, .fixed32(UInt32(try fixed(4))))
        default: throw AgentError(.download, "failed to query upgrade info: unsupported protobuf wire type \(key & 7)")
        }
    }

    private mutating func varint() throws(AgentError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw AgentError(.download, "failed to query upgrade info: truncated protobuf")
    }

    private mutating func fixed(_ count: Int) throws(AgentError) -> UInt64 {
        guard offset + count <= bytes.count else {
            throw AgentError(.download, "failed to query upgrade info: truncated protobuf")
        }
        var result: UInt64 = 0
        for index in 0..<count { result |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += count
        return result
    }
}
