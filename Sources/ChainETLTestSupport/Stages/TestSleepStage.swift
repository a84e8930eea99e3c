import ChainETLCore
import ChainETLStages
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

    public var recordSchema: RecordSchema { "test-row/1" }

    public func run(_ context: StageContext) throws -> StageOutcome {
        context.logger.debug("stage sleeping", metadata: ["sleep.ms": "\(configuration.milliseconds)"])
        // In ticks, reporting progress, so terminal tests see a live progress area.
        let tick = 50
        context.progress.expect(total: configuration.milliseconds, unit: "ms")
        var slept = 0
        while slept < configuration.milliseconds {
            let step = min(tick, configuration.milliseconds - slept)
            guard CancellationFlag.process.sleep(seconds: Double(step) / 1000) else {
                throw CancellationFlag.Interrupted()
            }
            slept += step
            context.progress.advance(by: step)
            context.progress.flush()
        }
        return StageOutcome(counts: RowCounts(), details: ["slept.ms": "\(configuration.milliseconds)"])
    }
}
