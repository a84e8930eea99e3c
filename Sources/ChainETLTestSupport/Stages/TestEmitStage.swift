import ChainETLCore
import ChainETLStages

/// `uses: test/emit`: writes `rows` deterministic lines, for runner tests and sample pipelines.
///
/// Line `i` is `{"i":i,"partition":"YYYY-MM-DD","stage":"<id>","salt":"…"}`, so a rerun with the
/// same config writes byte-identical data.
public struct TestEmitStage: Stage {
    public static let kind = "test/emit"
    public static var parameters: StageParameterSchema { TestEmitConfiguration.schema }

    let configuration: TestEmitConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try TestEmitConfiguration(spec: spec)
    }

    public var recordSchema: RecordSchema { "test-row/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let output = try context.output
        context.progress.expect(total: configuration.rows)
        var line = JSONLineWriter(capacity: 128)
        for index in 0..<configuration.rows {
            if let failAfter = configuration.failAfter, index == failAfter {
                throw TestStageError.failedAfter(rows: failAfter)
            }
            line.reset()
            line.beginObject()
            line.key("i")
            line.int(index)
            line.key("partition")
            line.string(context.partition.description)
            line.key("stage")
            line.string(context.spec.id)
            line.key("salt")
            line.string(configuration.salt)
            line.endObject()
            try output.append(line)
            context.progress.advance()
        }
        context.progress.flush()
        return StageOutcome(counts: RowCounts(rowsIn: configuration.rows, rowsOut: configuration.rows))
    }
}
