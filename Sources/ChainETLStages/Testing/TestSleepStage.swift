import ChainETLCore
import Foundation

/// `uses: test/sleep`: holds its partition for `ms` milliseconds, for lock, kill and signal tests.
///
/// Like an extraction waiting on an explorer, it stops early on a stop signal (and throws
/// `CancellationFlag.Interrupted`).
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
        guard CancellationFlag.process.sleep(seconds: Double(configuration.milliseconds) / 1000) else {
            throw CancellationFlag.Interrupted()
        }
        return StageOutcome(counts: RowCounts(), details: ["slept.ms": "\(configuration.milliseconds)"])
    }
}
