import ChainETLCore
import Foundation

/// `uses: test/sleep`: holds its partition for `ms` milliseconds, for lock and kill tests.
public struct TestSleepStage: Stage {
    public static let kind = "test/sleep"
    public static var parameters: StageParameterSchema { TestSleepConfiguration.schema }

    let configuration: TestSleepConfiguration

    public init(spec: StageSpec, pipeline: PipelineSpec) throws {
        configuration = try TestSleepConfiguration(spec: spec)
    }

    public var recordSchema: String { "test-row/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        context.logger.debug("stage sleeping", metadata: ["sleep.ms": "\(configuration.milliseconds)"])
        Thread.sleep(forTimeInterval: Double(configuration.milliseconds) / 1000)
        return StageOutcome(counts: RowCounts(), details: ["slept.ms": "\(configuration.milliseconds)"])
    }
}
