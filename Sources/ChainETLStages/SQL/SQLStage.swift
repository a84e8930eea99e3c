import ChainETLCore
import ChainETLPostgres
import Foundation

/// `uses: sql`: runs a `.sql` file from the pipeline folder against the run's database, in one
/// transaction, with the partition bound as parameters:
/// `$1` partition start (timestamptz), `$2` partition end (timestamptz, exclusive),
/// `$3` partition date (date), `$4` pipeline name (text).
///
/// The checkpoint holds no rows; its counts record the rows the statements affected. Its effect
/// lives in the database, so a matching manifest counts as up to date only while the run ledger
/// still records that checkpoint as applied.
public struct SQLStage: Stage {
    public static let kind = "sql"
    public static var parameters: StageParameterSchema { SQLConfiguration.schema }

    let configuration: SQLConfiguration
    let stageID: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try SQLConfiguration(spec: spec, pipeline: pipeline)
        stageID = spec.id
    }

    public var recordSchema: RecordSchema { "sql-result/1" }

    /// The script's text joins the config hash: editing the file reruns the stage.
    public var configurationInputs: [String: String] { ["sql.text": configuration.text] }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let path = configuration.file.path
        let script = SQLScript(configuration.text)
        guard !script.statements.isEmpty else { throw SQLError.empty(path: path) }
        let bindings = Self.bindings(for: context)
        for (number, statement) in zip(1..., script.statements) where statement.highestParameter > bindings.values.count
        {
            throw SQLError.unknownParameter(path: path, statement: number, parameter: statement.highestParameter)
        }

        let database = try context.database
        let affected: Int = try database.transaction {
            var total = 0
            for (number, statement) in zip(1..., script.statements) {
                let used = statement.highestParameter
                let query = SQLQuery(
                    statement.text, Array(bindings.values.prefix(used)), types: Array(bindings.types.prefix(used)))
                do {
                    total += try database.execute(query).affectedRows ?? 0
                } catch {
                    throw SQLError.statementFailed(path: path, statement: number, underlying: error)
                }
            }
            return total
        }
        context.logger.info(
            "sql file applied",
            metadata: [
                "sql.file": "\(path)", "sql.statements": "\(script.statements.count)", "rows.affected": "\(affected)",
            ])
        return StageOutcome(
            counts: RowCounts(rowsIn: affected, rowsOut: affected),
            details: ["sql.file": configuration.file.lastPathComponent, "sql.statements": "\(script.statements.count)"])
    }

    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        try StageLedger.recordsSuccess(of: manifest, context: context)
    }

    /// `$1…$4` for the context's partition, with their types.
    static func bindings(for context: StageContext) -> (values: [any PostgresBindable], types: [PostgresType]) {
        (
            values: [
                context.partition.start, context.partition.end, context.partition.description, context.pipeline.name,
            ],
            types: [.timestamptz, .timestamptz, .date, .text]
        )
    }
}
