import ChainETLCore

/// One stage kind: a typed configuration read from `with:`, and a `run` that streams its inputs
/// (upstream checkpoints) to its output checkpoint.
///
/// The runner owns everything around `run`: skip decisions, the temporary checkpoint directory and
/// its rename, the ledger and the partition lock. A stage only reads `context` and writes
/// `context.output`.
public protocol Stage: Sendable {
    /// The `uses:` value, e.g. `sql` or `extract/etherscan-logs`.
    static var kind: String { get }
    /// The keys `with:` accepts, for `chainetl validate`.
    static var parameters: StageParameterSchema { get }

    /// Reads and checks the stage's configuration; throws `ConfigDiagnostic`s for bad parameters.
    init(spec: StageSpec, pipeline: PipelineSpec) throws

    /// Configuration the pipeline file does not show, such as the text of a `.sql` file it names,
    /// keyed by a short name. It joins the config hash, so editing such a file reruns the stage.
    var configurationInputs: [String: String] { get }

    /// The record schema of the output lines, e.g. `transfer/1`; recorded in the manifest.
    var recordSchema: RecordSchema { get }

    /// Does the work for `context.partition`.
    func run(_ context: StageContext) throws -> StageOutcome

    /// Whether the effect of the checkpoint described by `manifest` is still in place.
    ///
    /// Called only when the manifest already matches the stage's config and inputs. Stages whose
    /// effect lives outside the checkpoint (loads into Postgres) check the database here.
    func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool
}

extension Stage {
    public var configurationInputs: [String: String] { [:] }

    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool { true }
}
