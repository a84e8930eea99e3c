import ChainETLCore

/// Refuses a replace that would remove most of what a file source loaded before.
///
/// `normalize/executions`, `load/address-book` and `load/prices` replace their rows with the
/// file's. A file that was truncated, wiped or swapped for the wrong one would silently delete
/// what the last good load put there, so a replace that removes more than `max_shrink` (default
/// 0.5) of the rows previously loaded from the source fails and changes nothing, unless the run
/// has `--force` or the stage's `with:` says `allow_shrink: true`.
struct ShrinkGuard: Sendable, Equatable {
    /// The default largest share of previously loaded rows one replace may remove: half.
    static let defaultMaximumFraction = 0.5

    static let parameters = [
        StageParameter(
            name: "max_shrink", type: .number,
            description: "largest share of the rows previously loaded from the file that one reload may remove, "
                + "0...1 (default 0.5); more fails unless --force"),
        StageParameter(
            name: "allow_shrink", type: .boolean,
            description: "let a reload remove any share of the rows previously loaded (default false)"),
    ]

    var maximumFraction: Double
    var allowShrink: Bool

    init(maximumFraction: Double = Self.defaultMaximumFraction, allowShrink: Bool = false) {
        self.maximumFraction = maximumFraction
        self.allowShrink = allowShrink
    }

    /// Reads `max_shrink` and `allow_shrink` from a stage's `with:`.
    init(spec: StageSpec) throws(ConfigDiagnostic) {
        let parameters = spec.parameters
        let fraction = try parameters.number("max_shrink") ?? Self.defaultMaximumFraction
        guard fraction.isFinite, (0...1).contains(fraction) else {
            throw ConfigDiagnostic(
                location: parameters.node("max_shrink")?.location ?? spec.location,
                message: "max_shrink must be a fraction between 0 and 1, got \(fraction)",
                hint: "write max_shrink: 0.5 to refuse reloads that remove more than half of the loaded rows")
        }
        self.init(maximumFraction: fraction, allowShrink: try parameters.boolean("allow_shrink") ?? false)
    }

    /// Throws `FileSourceError.shrinkRefused` when removing `removed` of `previous` rows (`what`,
    /// e.g. "executions rows") is more than allowed and neither `--force` nor `allow_shrink` is set.
    func check(previous: Int, removed: Int, what: String, source: String, context: StageContext) throws(FileSourceError)
    {
        guard previous > 0, Double(removed) > maximumFraction * Double(previous), !allowShrink,
            !context.options.force
        else { return }
        throw .shrinkRefused(
            stage: context.spec.id, partition: context.partition.description, source: source, what: what,
            removed: removed, previous: previous, maximumFraction: maximumFraction,
            forceCommand: "chainetl run \(context.pipeline.file.path) --partition \(context.partition) "
                + "--select \(context.spec.id) --force --workdir \(context.workdir.path)")
    }
}
