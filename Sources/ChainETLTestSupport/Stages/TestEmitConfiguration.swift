import ChainETLCore
import ChainETLStages

/// The `with:` of `test/emit`.
struct TestEmitConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(name: "rows", type: .integer, required: true, description: "how many lines to write"),
        StageParameter(
            name: "fail_after", type: .integer, description: "fail after writing this many lines (default: never)"),
        StageParameter(
            name: "salt", type: .string,
            description: "text mixed into every line, to change the output without changing the row count"),
    ])

    var rows: Int
    var failAfter: Int?
    var salt: String

    init(spec: StageSpec) throws {
        let parameters = spec.parameters
        rows = try parameters.requiredInteger("rows")
        failAfter = try parameters.integer("fail_after")
        salt = try parameters.string("salt") ?? ""
        if rows < 0 {
            throw ConfigDiagnostic(
                location: parameters.node("rows")?.location ?? spec.location, message: "rows must be 0 or more")
        }
    }
}
