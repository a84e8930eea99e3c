import ChainETLCore
import ChainETLStages

/// `uses: test/fail`: always fails with a clear error, for failure-path tests.
public struct TestFailStage: Stage {
    public static let kind = "test/fail"
    public static var parameters: StageParameterSchema { .none }

    let stageID: String

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        stageID = spec.id
    }

    public var recordSchema: RecordSchema { "test-row/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        throw TestStageError.alwaysFails(stage: stageID)
    }
}
