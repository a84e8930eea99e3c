import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

/// Everything one (partition, stage) unit may use. Owned by that unit on one worker thread and
/// never shared; the runner closes what it opened when the unit ends.
public final class StageContext {
    public let pipeline: PipelineSpec
    public let spec: StageSpec
    /// The stage's config hash (`StageConfigHash.of`), computed once per run by the runner; the
    /// manifest records it, and database-writing stages record it in `etl_loads`.
    public let configHash: String
    public let partition: PartitionDay
    public let workdir: URL
    public let runID: String
    /// Carries `stage.id` and `partition` metadata.
    public let logger: Logger
    public let options: StageOptions
    public let events: StageEvents
    public let progress: StageProgress
    /// Shared process-wide services (rate limiters, …).
    public let services: ExtractionServices
    /// The upstream checkpoints, by stage id, already opened and verified.
    public let inputs: [String: CheckpointReader]

    private let databaseURL: String?
    private let makeOutput: () throws -> CheckpointWriter
    private var openedOutput: CheckpointWriter?
    private var openedDatabase: PostgresConnection?

    package init(
        pipeline: PipelineSpec, spec: StageSpec, configHash: String, partition: PartitionDay, workdir: URL,
        runID: String,
        logger: Logger, options: StageOptions, eventSink: any StageEventSink,
        progressReporter: any StageProgressReporting, services: ExtractionServices,
        inputs: [String: CheckpointReader], databaseURL: String?,
        makeOutput: @escaping () throws -> CheckpointWriter
    ) {
        self.pipeline = pipeline
        self.spec = spec
        self.configHash = configHash
        self.partition = partition
        self.workdir = workdir
        self.runID = runID
        self.logger = logger
        self.options = options
        self.events = StageEvents(stageID: spec.id, partition: partition, sink: eventSink)
        self.progress = StageProgress(stageID: spec.id, partition: partition, reporter: progressReporter)
        self.services = services
        self.inputs = inputs
        self.databaseURL = databaseURL
        self.makeOutput = makeOutput
    }

    /// The upstream checkpoint of stage `id`, which must be listed in `needs:`.
    public func input(_ id: String) throws -> CheckpointReader {
        guard let reader = inputs[id] else { throw StageError.undeclaredInput(stage: spec.id, input: id) }
        return reader
    }

    /// This stage's output checkpoint, opened (as a temporary directory) on first use.
    public var output: CheckpointWriter {
        get throws {
            if let openedOutput { return openedOutput }
            let writer = try makeOutput()
            openedOutput = writer
            return writer
        }
    }

    /// A connection to the run's database, opened on first use and closed by the runner.
    public var database: PostgresConnection {
        get throws {
            if let openedDatabase { return openedDatabase }
            do {
                let connection = try PostgresConnection.connect(
                    url: databaseURL, applicationName: "chainetl \(spec.id) \(partition)", logger: logger)
                openedDatabase = connection
                return connection
            } catch {
                throw StageError.databaseUnavailable(stage: spec.id, underlying: error)
            }
        }
    }

    /// The writer if the stage (or the runner) opened it.
    package var outputIfOpened: CheckpointWriter? { openedOutput }

    /// Closes the database connection if one was opened.
    package func closeDatabase() {
        openedDatabase?.close()
        openedDatabase = nil
    }
}
