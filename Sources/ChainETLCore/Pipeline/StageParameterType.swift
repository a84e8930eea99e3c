/// The shape a stage parameter's value must have under `with:`.
public enum StageParameterType: String, Sendable, Hashable, CaseIterable {
    /// Any scalar, read as text (`sql: daily.sql`, `symbol: 1INCH`).
    case string
    /// A whole number (`batch_size: 500`).
    case integer
    /// A decimal number (`ratio: 0.5`). For parameters only: amounts are never read as numbers.
    case number
    /// `true` or `false`.
    case boolean
    /// A list of scalars (`columns: [a, b]`).
    case stringList
    /// A nested mapping, checked by the stage itself.
    case mapping
    /// A list of mappings (`sources: [{…}, {…}]`).
    case mappingList
    /// The name of a chain declared under `chains:`.
    case chain
    /// A list of chain names declared under `chains:`.
    case chainList
    /// Anything; the stage checks it.
    case any

    /// How the type reads in "expected …" messages.
    var phrase: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean (true or false)"
        case .stringList: return "a list of strings"
        case .mapping: return "a mapping"
        case .mappingList: return "a list of mappings"
        case .chain: return "a chain name"
        case .chainList: return "a list of chain names"
        case .any: return "any value"
        }
    }

    /// A one-line example of a value of this type, for hints.
    func example(_ key: String) -> String {
        switch self {
        case .string: return "\(key): text"
        case .integer: return "\(key): 100 (a whole number, no quotes or units)"
        case .number: return "\(key): 2.5"
        case .boolean: return "\(key): true or \(key): false"
        case .stringList: return "\(key): [a, b]"
        case .mapping: return "\(key): { name: value }"
        case .mappingList: return "\(key): [{ name: value }]"
        case .chain: return "\(key): ethereum (a name under chains:)"
        case .chainList: return "\(key): [ethereum] (names under chains:)"
        case .any: return "\(key): value"
        }
    }
}
