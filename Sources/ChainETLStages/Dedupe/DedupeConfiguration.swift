import ChainETLCore

/// The `with:` of a `dedupe` stage: nothing to set; it reads every `transfer/1` input in `needs:`.
///
/// ```yaml
/// - id: dedupe
///   uses: dedupe
///   needs: [normalize_logs, normalize_tokentx]   # the first input's copy of a transfer is kept
/// ```
struct DedupeConfiguration: Sendable {
    static let schema = StageParameterSchema.none
    /// Sorted runs merged at once; more runs are merged in passes through scratch files, so open
    /// files and read buffers stay bounded however many parts the inputs have.
    static let defaultFanIn = 64

    /// Upstream stage ids, in `needs:` order (ties between copies keep the earliest input's).
    var inputs: [String]
    var fanIn = defaultFanIn

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        guard !spec.needs.isEmpty else {
            throw ConfigDiagnostic(
                location: spec.location, message: "dedupe stage \(spec.id) has no input in needs:",
                hint: "list the normalize stages it merges, e.g. needs: [normalize]")
        }
        inputs = spec.needs
    }
}
