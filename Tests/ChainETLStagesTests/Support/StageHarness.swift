import ChainETLCore
import ChainETLPostgres
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// Runs stages the way the runner does (typed config from a pipeline file, upstream checkpoints
/// as inputs, output committed with the stage's config hash), against a private schema of the
/// test PostgreSQL (DATABASE_URL from `.ci/with-postgres`) with every migration applied.
final class StageHarness {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let schema: String
    /// DATABASE_URL with the private schema as search_path, for stage contexts.
    let databaseURL: String
    /// A connection on the private schema, for setup and assertions.
    let connection: PostgresConnection
    let root: URL
    let workdir: URL
    let pipelineFile: URL
    let pipelineName: String
    private(set) var pipeline: PipelineSpec

    /// `yaml` is the pipeline body below `version`/`name`; `files` are written beside the pipeline
    /// file; `repositoryFiles` (paths under `pipelines/`, e.g. `sql/daily_token_volume.sql`) are copied.
    init(_ yaml: String, files: [String: String] = [:], repositoryFiles: [String] = []) throws {
        let base = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the tests through .ci/with-postgres or make test")
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        schema = "stage_" + suffix
        pipelineName = "p_" + suffix
        databaseURL = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        connection = try PostgresConnection.connect(url: base, applicationName: "stage test", logger: Self.logger)
        try connection.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(SQLIdentifier.quote(schema))"))
        try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(schema))"))
        try Migrator(directory: Self.repository.appendingPathComponent("schemas")).migrate(connection)

        root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-stage-\(suffix)")
        workdir = root.appendingPathComponent("work")
        pipelineFile = root.appendingPathComponent("pipelines/\(pipelineName).yaml")
        let folder = pipelineFile.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for path in repositoryFiles {
            let text = try String(
                contentsOf: Self.repository.appendingPathComponent("pipelines/\(path)"), encoding: .utf8)
            try Self.write(text, to: folder.appendingPathComponent(path))
        }
        for (path, text) in files { try Self.write(text, to: folder.appendingPathComponent(path)) }
        pipeline = try Self.load(yaml, name: pipelineName, file: pipelineFile)
    }

    deinit {
        _ = try? connection.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(schema)) CASCADE"))
        connection.close()
        try? FileManager.default.removeItem(at: root)
    }

    static var logger: Logger {
        var logger = Logger(label: "chainetl.stages.tests")
        logger.logLevel = .warning
        return logger
    }

    /// Rewrites a file beside the pipeline and reloads the pipeline (so stages see the new file).
    func rewrite(_ path: String, _ text: String) throws {
        try Self.write(text, to: pipelineFile.deletingLastPathComponent().appendingPathComponent(path))
        pipeline = try Self.load(nil, name: pipelineName, file: pipelineFile)
    }

    /// The stage `id` as the registry builds it.
    func stage(_ id: String) throws -> any Stage {
        try StageRegistry.withTestStages.makeStage(try #require(pipeline.stage(id: id)), pipeline: pipeline)
    }

    /// Runs stage `id` for `day` and commits its checkpoint, like the runner (`options` as the run's flags).
    @discardableResult
    func run(_ id: String, day: PartitionDay, options: StageOptions = StageOptions()) throws -> (
        outcome: StageOutcome, manifest: CheckpointManifest
    ) {
        let spec = try #require(pipeline.stage(id: id))
        let stage = try StageRegistry.withTestStages.makeStage(spec, pipeline: pipeline)
        var inputs: [String: CheckpointReader] = [:]
        for need in spec.needs { inputs[need] = try CheckpointReader.open(location(need, day)) }
        let context = makeContext(spec: spec, stage: stage, day: day, inputs: inputs, options: options)
        defer { context.closeDatabase() }
        let started = Date()
        do {
            let outcome = try stage.run(context)
            let manifest = try context.output.commit(
                configHash: StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
                inputs: inputs.mapValues(\.manifest.contentHash), counts: outcome.counts, details: outcome.details,
                startedAt: started)
            return (outcome, manifest)
        } catch {
            context.outputIfOpened?.discard()
            throw error
        }
    }

    /// What the runner would ask before skipping: same config hash and inputs, and `isUpToDate`.
    func isUpToDate(_ id: String, day: PartitionDay) throws -> Bool {
        let spec = try #require(pipeline.stage(id: id))
        let stage = try StageRegistry.withTestStages.makeStage(spec, pipeline: pipeline)
        guard let manifest = try CheckpointStore.existingManifest(at: location(id, day)) else { return false }
        var inputs: [String: CheckpointReader] = [:]
        for need in spec.needs { inputs[need] = try CheckpointReader.open(location(need, day)) }
        guard manifest.configHash == StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
            manifest.inputs == inputs.mapValues(\.manifest.contentHash)
        else { return false }
        let context = makeContext(spec: spec, stage: stage, day: day, inputs: inputs)
        defer { context.closeDatabase() }
        return try stage.isUpToDate(context, manifest: manifest)
    }

    func location(_ id: String, _ day: PartitionDay) -> CheckpointLocation {
        CheckpointLocation(workdir: workdir, pipeline: pipelineName, partition: day, stageID: id)
    }

    /// The lines of a stage's checkpoint (or of one of its side files).
    func lines(_ id: String, day: PartitionDay, sideFile: String? = nil) throws -> [String] {
        let reader = try CheckpointReader.open(location(id, day))
        var lines: [String] = []
        let collect: (UnsafeRawBufferPointer) throws -> Void = { lines.append(String(decoding: $0, as: UTF8.self)) }
        if let sideFile {
            guard reader.manifest.sideFiles.contains(where: { $0.name == sideFile }) else { return [] }
            try reader.forEachLine(inSideFile: sideFile, collect)
        } else {
            try reader.forEachLine(collect)
        }
        return lines
    }

    /// Every row of `query`, columns joined by `|` (NULL as `∅`).
    func rows(_ query: String, _ bindings: [(any PostgresBindable)?] = []) throws -> [String] {
        let result = try connection.execute(SQLQuery(query, bindings))
        return (0..<result.count).map { row in
            (0..<result.columnNames.count).map { result.value(row: row, column: $0) ?? "∅" }.joined(separator: "|")
        }
    }

    /// The single value of `query`.
    func value(_ query: String, _ bindings: [(any PostgresBindable)?] = []) throws -> String {
        let rows = try rows(query, bindings)
        try #require(rows.count == 1, "expected one row from \(query), got \(rows.count)")
        return rows[0]
    }

    /// Runs a fixture script from `Tests/ChainETLStagesTests/Fixtures/sql/`.
    func applyFixture(_ name: String) throws {
        let text = try String(
            contentsOf: Self.repository.appendingPathComponent("Tests/ChainETLStagesTests/Fixtures/sql/\(name)"),
            encoding: .utf8)
        try connection.executeScript(unsafeSQL: text)
    }

    private func makeContext(
        spec: StageSpec, stage: any Stage, day: PartitionDay, inputs: [String: CheckpointReader],
        options: StageOptions = StageOptions()
    ) -> StageContext {
        let location = location(spec.id, day)
        return StageContext(
            pipeline: pipeline, spec: spec, configHash: StageConfigHash.of(stage, spec: spec, pipeline: pipeline),
            partition: day, workdir: workdir, runID: "test-run",
            logger: Self.logger, options: options, eventSink: DiscardingEvents(),
            progressReporter: DiscardingProgress(), services: ExtractionServices(), inputs: inputs,
            databaseURL: databaseURL,
            makeOutput: { try CheckpointWriter(location: location, kind: spec.kind, recordSchema: stage.recordSchema) })
    }

    private static func load(_ yaml: String?, name: String, file: URL) throws -> PipelineSpec {
        if let yaml { try write("version: 1\nname: \(name)\n\(yaml)", to: file) }
        switch PipelineLoader.load(file: file, environment: [:], catalog: StageRegistry.withTestStages) {
        case .success(let spec): return spec
        case .failure(let diagnostics): throw diagnostics
        }
    }

    private static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

private struct DiscardingEvents: StageEventSink {
    func record(_ event: StageEvent) {}
}

private struct DiscardingProgress: StageProgressReporting {
    func report(stageID: String, partition: PartitionDay, _ snapshot: ProgressSnapshot) {}
}
