import ChainETLCore

/// The `with:` of `load/address-book`.
///
/// ```yaml
/// - id: address_book
///   uses: load/address-book
///   with:
///     file: data/address_book.csv   # or .yaml; relative to the pipeline file's folder
///     format: auto                  # csv | yaml | auto (from the extension; default)
///     quarantine_threshold: 0.001   # largest quarantined share of rows (default 0.1 %)
///     max_shrink: 0.5               # a reload may remove at most half the rows the book loaded
///     allow_shrink: false           # true lets a reload remove any share (as --force does)
/// ```
struct AddressBookConfiguration: Sendable {
    static let schema = StageParameterSchema(
        parameters: [
            StageParameter(
                name: "file", type: .string, required: true,
                description: "the address book (CSV or YAML), relative to the pipeline file's folder"),
            StageParameter(
                name: "format", type: .string, description: "csv, yaml or auto (from the extension; default)"),
            QuarantineThreshold.parameter,
        ] + ShrinkGuard.parameters)

    var file: StageFilePath
    var format: AddressBookFile.Format
    /// The book's text, read once for the config hash.
    var text: String
    var threshold: QuarantineThreshold
    var shrinkGuard: ShrinkGuard

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        file = try StageFilePath(key: "file", spec: spec, pipeline: pipeline)
        let requested = try spec.parameters.string("format")
        let location = spec.parameters.node("format")?.location ?? spec.location
        if let requested, requested != "auto", AddressBookFile.Format(rawValue: requested) == nil {
            throw ConfigDiagnostic(
                location: location, message: "format must be csv, yaml or auto, got '\(requested)'",
                hint: "write format: csv")
        }
        do {
            format = try AddressBookFile.Format.resolve(requested, path: file.written)
        } catch {
            throw ConfigDiagnostic(location: location, message: error.description, hint: "write format: csv or yaml")
        }
        text = try file.text(spec: spec, key: "file")
        threshold = try QuarantineThreshold(spec: spec)
        shrinkGuard = try ShrinkGuard(spec: spec)
    }
}
