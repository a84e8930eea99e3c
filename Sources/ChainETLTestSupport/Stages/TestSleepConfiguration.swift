import ChainETLCore
import ChainETLStages

/// The `with:` of `test/sleep`.
struct TestSleepConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(name: "ms", type: .integer, required: true, description: "how long to sleep, in milliseconds")
    ])

    var milliseconds: Int

    init(spec: StageSpec) throws {
        milliseconds = try spec.parameters.requiredInteger("ms")
        guard (0...86_400_000).contains(milliseconds) else {
            throw ConfigDiagnostic(
                location: spec.parameters.node("ms")?.location ?? spec.location,
                message: "ms must be between 0 and 86400000, got \(milliseconds)")
        }
    }
}
