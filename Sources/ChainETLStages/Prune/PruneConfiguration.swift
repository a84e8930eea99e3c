import ChainETLCore

/// The `with:` of a `prune` stage.
///
/// ```yaml
/// - id: prune
///   uses: prune
///   needs: [load]
///   with:
///     retention_days: 90   # default
/// ```
struct PruneConfiguration: Sendable {
    /// Days of raw transfers kept by default (SPEC §6).
    static let defaultRetentionDays = 90

    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "retention_days", type: .integer,
            description:
                "days of raw transfers to keep before the partition day, default 90; whole months older than that are dropped"
        )
    ])

    var retentionDays: Int

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        retentionDays = try spec.parameters.integer("retention_days") ?? Self.defaultRetentionDays
        guard retentionDays >= 1 else {
            throw ConfigDiagnostic(
                location: spec.parameters.node("retention_days")?.location ?? spec.location,
                message: "prune stage \(spec.id): retention_days must be at least 1, got \(retentionDays)",
                hint: "write retention_days: 90 (summaries are kept forever either way)")
        }
    }
}
