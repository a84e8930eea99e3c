import ChainETLCore
import ChainETLPostgres

/// Reads the run ledger on behalf of stages whose effect lives in the database.
public enum StageLedger {
    /// Whether the latest completed unit of this stage and partition applied (or kept) the
    /// checkpoint `manifest` describes. False after a database reset, so the stage runs again.
    public static func recordsSuccess(of manifest: CheckpointManifest, context: StageContext) throws -> Bool {
        let rows = try context.database.execute(
            SQLQuery(
                """
                SELECT checkpoint_hash FROM etl_stage_runs
                WHERE pipeline = $1 AND partition = $2::date AND stage = $3 AND status IN ('succeeded', 'skipped')
                ORDER BY started_at DESC, id DESC LIMIT 1
                """, [context.pipeline.name, context.partition.description, context.spec.id]))
        return rows.count == 1 && rows.value(row: 0, column: 0) == manifest.contentHash
    }
}
