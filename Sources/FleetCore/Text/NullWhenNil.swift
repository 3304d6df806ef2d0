/// An optional property whose key a synthesized `Encodable` conformance always writes: `null` when the value
/// is nil, where the synthesized code would leave the key out. For `--json` reports whose entries must all
/// have the same keys, so a script reads any entry the same way.
///
/// ```swift
/// struct Entry: Encodable {
///     var host: String
///     @NullWhenNil var error: String?
/// }
/// // {"host":"a","error":null}
/// ```
///
/// Equality, hashing and `Sendable` follow the wrapped value's.
@propertyWrapper
public struct NullWhenNil<Wrapped> {
    /// The value; nil is encoded as `null`.
    public var wrappedValue: Wrapped?

    /// Wraps `wrappedValue`.
    public init(wrappedValue: Wrapped?) {
        self.wrappedValue = wrappedValue
    }
}

extension NullWhenNil: Encodable where Wrapped: Encodable {
    /// Encodes the value, or `null` when there is none.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension NullWhenNil: Sendable where Wrapped: Sendable {}
extension NullWhenNil: Equatable where Wrapped: Equatable {}
extension NullWhenNil: Hashable where Wrapped: Hashable {}
