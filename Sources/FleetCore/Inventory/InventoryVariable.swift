/// One variable value with where it was set, so validation errors can point at the definition.
struct InventoryVariable: Sendable, Hashable {
    var value: String
    var location: InventorySourceLocation
}
