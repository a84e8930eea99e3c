import ChainETLCore

/// The `with:` of `normalize/executions`.
///
/// ```yaml
/// - id: executions
///   uses: normalize/executions
///   needs: [executions_file]          # exactly one extract/file stage
///   with:
///     mapping:                        # column: field path in the event (nested with dots)
///       execution_id: id
///       venue: venue
///       account: result_data.account
///       executed_at: created_at
///       status: status
///       filled_size: result_data.filled_size
///       fill_price: result_data.fill_price
///       is_test: test_mode            # optional (missing = false); also symbol, side
///     statuses: [filled, partial]     # optional: load only these statuses
///     quarantine_threshold: 0.001     # largest quarantined share of the day's rows (default 0.1 %)
///     max_shrink: 0.5                 # a reload may remove at most half the day's loaded rows
///     allow_shrink: false             # true lets a reload remove any share (as --force does)
/// ```
///
/// Without `statuses` every status is loaded (lowercased) and the aggregate's `statuses` picks the
/// volume; rows whose status is in the volume set (`statuses`, default `filled`, `partial`) must
/// carry a size and a price.
struct ExecutionsConfiguration: Sendable {
    static let defaultVolumeStatuses: Set<String> = ["filled", "partial"]

    static let schema = StageParameterSchema(
        parameters: [
            StageParameter(
                name: "mapping", type: .mapping, required: true,
                description: "executions column to field path (execution_id, venue, account, executed_at, status, "
                    + "filled_size, fill_price; optional is_test, symbol, side)"),
            StageParameter(
                name: "statuses", type: .stringList,
                description: "load only these statuses (default: all; filled and partial need size and price)"),
            QuarantineThreshold.parameter,
        ] + ShrinkGuard.parameters)

    var mapping: ExecutionMapping
    var keepStatuses: Set<String>?
    var input: String
    var threshold: QuarantineThreshold
    var shrinkGuard: ShrinkGuard

    var volumeStatuses: Set<String> { keepStatuses ?? Self.defaultVolumeStatuses }

    init(spec: StageSpec) throws {
        let parameters = spec.parameters
        guard spec.needs.count == 1 else {
            throw ConfigDiagnostic(
                location: spec.location,
                message: "normalize/executions stage \(spec.id) needs exactly one extract/file stage in needs:, "
                    + "has \(spec.needs.count)",
                hint: "write needs: [your-extract-file-stage]")
        }
        input = spec.needs[0]
        threshold = try QuarantineThreshold(spec: spec)
        shrinkGuard = try ShrinkGuard(spec: spec)
        mapping = try ExecutionMapping(node: try parameters.requiredMapping("mapping"), stageID: spec.id)
        if let statuses = try parameters.stringList("statuses") {
            let lowered = statuses.map { $0.trimmingASCIIWhitespace().lowercased() }
            guard !lowered.isEmpty, !lowered.contains("") else {
                throw ConfigDiagnostic(
                    location: parameters.node("statuses")?.location ?? spec.location,
                    message: "statuses must list at least one non-empty status",
                    hint: "write statuses: [filled, partial]")
            }
            keepStatuses = Set(lowered)
        }
    }
}
