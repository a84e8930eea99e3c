import ChainETLCore

/// The `with:` of `extract/file`.
///
/// ```yaml
/// - id: executions_file
///   uses: extract/file
///   with:
///     path: data/executions.ndjson   # relative to the pipeline file's folder
///     format: auto                   # ndjson | csv | auto (from the extension; default)
///     time_field: created_at         # optional: keep only rows of the partition day
///     quarantine_threshold: 0.001    # largest quarantined share of rows (default 0.1 %)
/// ```
///
/// A file without rows is an error, never "0 rows"; past the threshold the stage fails.
struct FileSourceConfiguration: Sendable {
    static let schema = StageParameterSchema(parameters: [
        StageParameter(
            name: "path", type: .string, required: true,
            description: "the NDJSON or CSV file, relative to the pipeline file's folder"),
        StageParameter(
            name: "format", type: .string, description: "ndjson, csv or auto (from the file extension; default)"),
        StageParameter(
            name: "time_field", type: .string,
            description: "field path of each row's time; when set, only rows of the partition day are kept"),
        QuarantineThreshold.parameter,
    ])

    var file: StageFilePath
    var format: FileRowFormat
    var timeField: JSONFieldPath?
    var threshold: QuarantineThreshold

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let parameters = spec.parameters
        file = try StageFilePath(key: "path", spec: spec, pipeline: pipeline)
        threshold = try QuarantineThreshold(spec: spec)
        let requested = try parameters.string("format")
        if let requested, requested != "auto", FileRowFormat(rawValue: requested) == nil {
            throw ConfigDiagnostic(
                location: parameters.node("format")?.location ?? spec.location,
                message: "format must be ndjson, csv or auto, got '\(requested)'", hint: "write format: ndjson")
        }
        do {
            format = try FileRowFormat.resolve(requested, path: file.written)
        } catch {
            throw ConfigDiagnostic(
                location: parameters.node("path")?.location ?? spec.location, message: error.description,
                hint: "write format: ndjson or format: csv")
        }
        if let text = try parameters.string("time_field") {
            guard let path = JSONFieldPath(text) else {
                throw ConfigDiagnostic(
                    location: parameters.node("time_field")?.location ?? spec.location,
                    message: "time_field '\(text)' is not a field path", hint: "write time_field: created_at")
            }
            timeField = path
        }
    }
}
