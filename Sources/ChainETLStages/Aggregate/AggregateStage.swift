import ChainETLCore
import ChainETLPostgres

/// `uses: aggregate`: runs the listed aggregate SQL files for the partition day, every statement
/// of every file in one transaction, with `$1` day start, `$2` day end, `$3` day and `$4` the
/// file's own parameter (`policy` or `statuses`), each statement prepared with all declared types.
///
/// Daily tables are rebuilt for the day and rolling summaries from the daily tables (that is how
/// the files are written; docs/aggregates.md). The stage reads no checkpoint data: `needs:` only
/// orders it after the loads, and its checkpoint is empty. The files' texts join the config hash,
/// so editing SQL reruns. An `etl_loads` marker written in the same transaction records the config
/// hash; the stage is up to date only while that marker is newer than every load of the day, so
/// reloading a day (executions, prices, the address book, transfers) aggregates it again.
public struct AggregateStage: Stage {
    public static let kind = "aggregate"
    public static var parameters: StageParameterSchema { AggregateConfiguration.schema }

    let configuration: AggregateConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try AggregateConfiguration(spec: spec, pipeline: pipeline)
    }

    public var recordSchema: RecordSchema { "aggregate-result/1" }

    public var configurationInputs: [String: String] {
        var inputs: [String: String] = [:]
        for file in configuration.files { inputs["sql:" + file.written] = file.text }
        return inputs
    }

    public func run(_ context: StageContext) throws -> StageOutcome {
        _ = try context.output
        let database = try context.database
        let configHash = context.configHash
        var details: [String: String] = ["policy": configuration.policy.rawValue]
        var written = 0
        var deleted = 0
        try database.transaction {
            // Rolling summaries are rebuilt whole and holder balances are shared by every day, so
            // aggregate transactions of different partitions (or runners) must not interleave.
            try database.execute(SQLQuery("SELECT pg_advisory_xact_lock(hashtext('chainetl.aggregate'))"))
            if let workMem = configuration.workMem {
                try database.execute(SQLQuery("SELECT set_config('work_mem', $1, true)", [workMem]))
            }
            // The statements touch one day's rows but their cost estimates (probes per holder)
            // pass the JIT thresholds, and compiling them took up to 1 s, longer than running them.
            try database.execute(SQLQuery("SELECT set_config('jit', 'off', true)"))
            for file in configuration.files {
                let result = try run(file, partition: context.partition, stageID: context.spec.id, on: database)
                details["\(file.sql.output).rows"] = "\(result.written)"
                details["\(file.sql.output).deleted"] = "\(result.deleted)"
                written += result.written
                deleted += result.deleted
            }
            try LoadLedger.record(
                LoadLedger.Entry(
                    pipeline: context.pipeline.name, partition: context.partition, stage: context.spec.id,
                    source: LoadLedger.aggregateSource, manifestHash: configHash, rowsInserted: written,
                    rowsPresent: written, rowsRemoved: deleted),
                on: database)
        }
        context.logger.info(
            "aggregates rebuilt",
            metadata: [
                "aggregate.files": "\(configuration.files.count)", "rows.written": "\(written)",
                "rows.deleted": "\(deleted)",
            ])
        return StageOutcome(counts: RowCounts(rowsIn: written, rowsOut: written), details: details)
    }

    /// Up to date only while this config's marker is newer than every load of the partition.
    public func isUpToDate(_ context: StageContext, manifest: CheckpointManifest) throws -> Bool {
        try LoadLedger.isCurrent(
            pipeline: context.pipeline.name, partition: context.partition, stage: context.spec.id,
            manifestHash: manifest.configHash, on: context.database)
    }

    /// Runs one file's statements; rows written (INSERT/UPDATE) and deleted.
    private func run(
        _ file: AggregateConfiguration.File, partition: PartitionDay, stageID: String, on database: PostgresConnection
    ) throws -> (written: Int, deleted: Int) {
        let values = bindings(for: file.sql, partition: partition)
        let types = file.sql.parameters.map(\.type.postgresType)
        var written = 0
        var deleted = 0
        for statement in file.sql.statements {
            let result: PostgresRows
            do {
                result = try database.execute(SQLQuery(statement.text, values, types: types))
            } catch {
                throw AggregateError.statementFailed(
                    path: file.written, line: statement.line, stage: stageID, partition: partition.description,
                    underlying: "\(error)")
            }
            let affected = result.affectedRows ?? 0
            switch Self.verb(of: result.commandTag) {
            case "DELETE": deleted += affected
            case "INSERT", "UPDATE", "MERGE": written += affected
            default: break
            }
        }
        return (written, deleted)
    }

    private func bindings(for file: AggregateSQLFile, partition: PartitionDay) -> [(any PostgresBindable)?] {
        var values: [(any PostgresBindable)?] = [partition.start, partition.end, partition.description]
        for parameter in file.parameters.dropFirst(AggregateSQLFile.dayParameters.count) {
            switch AggregateConfiguration.binding(for: parameter) {
            case .policy: values.append(configuration.policy.rawValue)
            case .statuses: values.append(PostgresTextArray(configuration.statuses))
            case nil: values.append(nil)  // refused at init; kept total for the type checker
            }
        }
        return values
    }

    /// The verb of a command tag (`INSERT 0 5` → `INSERT`): the main command's, also after `WITH`.
    private static func verb(of commandTag: String) -> String {
        String(commandTag.prefix { $0.isLetter }).uppercased()
    }
}
