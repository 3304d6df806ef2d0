/// A raw setting as a source holds it: environment variables are strings, TOML values are typed.
enum ConfigValue: Equatable, Sendable {
    case string(String)
    case bool(Bool)
    case integer(Int64)
}
