import ChainETLCore
import ChainETLStages

/// `uses: test/copy`: streams its one input checkpoint through to its output, line by line.
public struct TestCopyStage: Stage {
    public static let kind = "test/copy"
    public static var parameters: StageParameterSchema { .none }

    let stageID: String
    let input: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        guard spec.needs.count == 1 else {
            throw ConfigDiagnostic(
                location: spec.location,
                message: "test/copy stage \(spec.id) needs exactly one stage in needs:, has \(spec.needs.count)",
                hint: "write needs: [the-stage-to-copy]")
        }
        stageID = spec.id
        input = spec.needs[0]
    }

    public var recordSchema: RecordSchema { "test-row/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        let reader = try context.input(input)
        let output = try context.output
        context.progress.expect(total: reader.manifest.totalRows)
        var rows = 0
        try reader.forEachLine { line in
            try output.append(line: line)
            rows += 1
            context.progress.advance()
        }
        context.progress.flush()
        return StageOutcome(counts: RowCounts(rowsIn: rows, rowsOut: rows))
    }
}
