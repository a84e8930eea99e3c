import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// Planning, the one home of request → days → plan for `chainetl run`, `run --dry-run` and
/// `chainetl plan`.
///
/// The pipeline file is loaded once, `--select` is parsed once, and every stage is built once (a
/// stage reads the files it names, such as a `.sql` file or a CSV, when it is built). The days
/// change during a run (open refetch marks add days, a reorg check adds more), so `plan(days:)`
/// may be asked again: it only resolves the selection per partition.
final class RunPlanner {
    /// What planning reads from a `run` or `plan` request.
    struct Request {
        var pipelineFile: URL
        var partitions: PartitionRequest
        var selections: [String]
        var force: Bool
        var databaseURL: String?
    }

    /// The open `etl_refetch` marks a plan covers: mark ids per partition, the days with them
    /// added, and (for a scheduled run) the older marked days left out.
    struct Marks {
        var marks: [PartitionDay: [Int]]
        var days: [PartitionDay]
        var leftOut: [PartitionDay]
    }

    /// What the open marks add to a plan, for `--dry-run` and `plan`: the days the run would
    /// cover, the marked ones (their extracts rerun), and one note per added day.
    struct MarkPreview {
        var days: [PartitionDay]
        var marked: Set<PartitionDay>
        var notes: [String]
    }

    let pipeline: PipelineSpec
    private let request: Request
    private let registry: StageRegistry
    private let now: Date
    /// `--select`, parsed once; a malformed selector is reported when the stages are built.
    private let selection: Result<StageSelection, StageGraphError>
    private var built: Built?

    /// What `prepare` builds once: the stages, their config hashes and the stage graph.
    struct Built {
        var stages: [String: any Stage]
        var configHashes: [String: (hash: String, parts: [String: String])]
        var graph: StageGraph
    }

    /// Loads the pipeline file.
    ///
    /// - Throws: `RunnerError.invalidPipeline` with every problem of the file.
    init(_ request: Request, registry: StageRegistry, environment: [String: String], now: Date) throws {
        self.request = request
        self.registry = registry
        self.now = now
        self.pipeline = try Self.loadPipeline(request.pipelineFile, registry: registry, environment: environment)
        self.selection = Result { () throws(StageGraphError) in try StageSelection(parsing: request.selections) }
    }

    static func loadPipeline(
        _ file: URL, registry: StageRegistry, environment: [String: String]
    ) throws -> PipelineSpec {
        switch PipelineLoader.load(file: file, environment: environment, catalog: registry) {
        case .success(let pipeline): return pipeline
        case .failure(let diagnostics): throw RunnerError.invalidPipeline(diagnostics)
        }
    }

    // MARK: - Days

    /// The days the request names, oldest first (before any refetch mark adds one).
    var requestedDays: [PartitionDay] { request.partitions.days(now: now) }

    /// Refuses a day that is not closed yet.
    func refuseOpenDays(_ days: [PartitionDay]) throws {
        let today = PartitionDay(containing: now)
        if let open = days.first(where: { $0 >= today }) {
            throw RunnerError.openPartition(open, today: today)
        }
    }

    /// Whether this is the plain scheduled run (no partition, no `--select`, no `--force`), which
    /// adds the closed days with open refetch marks to yesterday. A run that names days or stages
    /// does exactly what it names.
    var servesEarlierMarks: Bool {
        request.partitions == .yesterday && request.selections.isEmpty && !request.force
    }

    /// The open refetch marks of `days` (a scheduled run: of every closed day, up to
    /// `RefetchMarks.scheduledRunLimit` days) and the days with the marked ones added.
    func openMarks(days: [PartitionDay], on connection: PostgresConnection) throws -> Marks {
        guard servesEarlierMarks else {
            let marks = try RefetchMarks.open(pipeline: pipeline.name, days: days, on: connection)
            return Marks(marks: marks, days: days, leftOut: [])
        }
        // The scheduled run also serves the marks of earlier closed days: a reorg found while
        // extracting yesterday marks the day before, which no later nightly covers.
        let scheduled = try RefetchMarks.openForScheduledRun(
            pipeline: pipeline.name, today: PartitionDay(containing: now), on: connection)
        return Marks(
            marks: scheduled.marks, days: Array(Set(days).union(scheduled.marks.keys)).sorted(),
            leftOut: scheduled.leftOut)
    }

    /// The marks a run would serve, read (only read) on a connection of its own. A database that
    /// cannot be read leaves the plan as it is (logged).
    func previewMarks(days: [PartitionDay], logger: Logger) -> MarkPreview {
        do {
            let connection = try PostgresConnection.connect(
                url: request.databaseURL, applicationName: "chainetl plan refetch marks", logger: logger)
            defer { connection.close() }
            let marks = try openMarks(days: days, on: connection).marks
            let added = marks.keys.filter { !days.contains($0) }.sorted()
            return MarkPreview(
                days: Array(Set(days).union(added)).sorted(), marked: Set(marks.keys),
                notes: added.map { "note: partition \($0) added: \(RefetchMarks.reason)" })
        } catch {
            logger.info("refetch marks not read; the plan leaves them out", metadata: ["error": "\(error)"])
            return MarkPreview(days: days, marked: [], notes: [])
        }
    }

    // MARK: - Plan

    /// Whether `--select` names `failed`, which only the run ledger of past runs resolves.
    var selectsFailed: Bool { (try? selection.get())?.includesFailed ?? false }

    /// Builds every stage and computes its config hash (once), and checks the selection against
    /// the stage graph.
    ///
    /// - Throws: `RunnerError.invalidPipeline` for bad stage parameters, `.usage` for a bad `--select`.
    @discardableResult
    func prepare() throws -> Built {
        if let built { return built }
        let (stages, problems) = registry.makeStages(of: pipeline)
        if !problems.isEmpty { throw RunnerError.invalidPipeline(ConfigDiagnostics(problems)) }
        let graph: StageGraph
        do {
            graph = try StageGraph(stages: pipeline.stages)
            _ = try selection.get().resolve(in: graph)
        } catch {
            throw RunnerError.usage("\(error)")
        }
        var configHashes: [String: (hash: String, parts: [String: String])] = [:]
        for spec in pipeline.stages {
            let stage = stages[spec.id]!
            configHashes[spec.id] = (
                StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
                StageConfigHash.parts(of: stage, spec: spec, pipeline: pipeline)
            )
        }
        let made = Built(stages: stages, configHashes: configHashes, graph: graph)
        built = made
        return made
    }

    /// The plan for `days`: per partition, the selected stages in topological order.
    ///
    /// - Parameter failedStages: the stages that failed last time in a partition, asked only when
    ///   `--select failed` is given (from the run ledger).
    func plan(
        days: [PartitionDay], failedStages: (PartitionDay) throws -> Set<String> = { _ in [] }
    ) throws -> RunPlan {
        let built = try prepare()
        let selection: StageSelection
        do {
            selection = try self.selection.get()
        } catch {
            throw RunnerError.usage("\(error)")
        }
        var partitions: [(partition: PartitionDay, stages: [String])] = []
        for day in days {
            let failed = selection.includesFailed ? try failedStages(day) : []
            partitions.append((day, try selection.resolve(in: built.graph, failedStages: failed)))
        }
        return RunPlan(
            pipeline: pipeline, graph: built.graph, stages: built.stages, configHashes: built.configHashes,
            partitions: partitions,
            selectionNamesStages: !selection.selectors.isEmpty)
    }
}
