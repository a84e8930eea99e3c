import ChainETLCore
import ChainETLPostgres
import ChainETLTestSupport
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// A throwaway pipeline folder, workdir and captured output for one runner test, against the
/// real PostgreSQL that `make test` starts (DATABASE_URL).
final class RunnerFixture {
    let root: URL
    let workdir: URL
    let pipelineName: String
    let databaseURL: String
    let logFile: URL
    private(set) var pipelineFile: URL

    /// `yaml` is the pipeline body without `version`/`name`; the name is made unique per fixture.
    init(_ yaml: String, files: [String: String] = [:]) throws {
        databaseURL = try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"],
            "DATABASE_URL is not set: run the suite with `make test` or `.ci/with-postgres -- swift test`")
        pipelineName = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-runner-\(pipelineName)")
        workdir = root.appendingPathComponent("work")
        logFile = root.appendingPathComponent("stderr.log")
        pipelineFile = root.appendingPathComponent("pipelines/\(pipelineName).yaml")
        try FileManager.default.createDirectory(
            at: pipelineFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        for (path, content) in files {
            let url = pipelineFile.deletingLastPathComponent().appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        try write(yaml)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    /// Replaces the pipeline body (same name).
    func write(_ yaml: String) throws {
        try "version: 1\nname: \(pipelineName)\n\(yaml)".write(to: pipelineFile, atomically: true, encoding: .utf8)
    }

    /// The repository's `schemas/`, found from this source file.
    static var schemas: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("schemas").path
    }

    /// Runs the pipeline in-process and returns the result plus everything printed to stderr.
    func run(
        partitions: PartitionRequest = .single(PartitionDay("2026-11-20")!), select: [String] = [], force: Bool = false,
        dryRun: Bool = false, jobs: Int = 2, databaseURL: String? = nil, environment: [String: String] = [:],
        metricsFile: URL? = nil, now: Date = Date(), reportWriteBytes: AtomicFile.WriteFunction? = nil
    ) throws -> (result: RunResult, stderr: String, stdout: [String]) {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        defer { try? handle.close() }
        let output = TerminalOutput(handle: handle, drawsProgress: false)
        let printed = Printed()
        let console = RunConsole(output: output, format: .json, standardOutput: { printed.append($0) })
        let logger = Logger(label: "test") { _ in StderrLogHandler(format: .json, level: .info, output: output) }
        let request = RunRequest(
            pipelineFile: pipelineFile, partitions: partitions, selections: select, force: force, dryRun: dryRun,
            jobs: jobs, databaseURL: databaseURL ?? self.databaseURL, workdir: workdir,
            arguments: ["chainetl", "run", pipelineFile.path], metricsFile: metricsFile)
        var env = environment
        env["CHAINETL_SCHEMAS"] = Self.schemas
        let runner = PipelineRunner(
            request: request, registry: .withTestStages, environment: env, logger: logger, console: console, now: now)
        runner.reportWriteBytes = reportWriteBytes
        let result = runner.run()
        let stderr = try String(contentsOf: logFile, encoding: .utf8)
        return (result, stderr, printed.lines)
    }

    /// A new connection to the test database.
    func connect() throws -> PostgresConnection {
        try PostgresConnection.connect(url: databaseURL, applicationName: "runner test", logger: Logger(label: "test"))
    }

    func location(_ stage: String, _ day: String = "2026-11-20") -> CheckpointLocation {
        CheckpointLocation(workdir: workdir, pipeline: pipelineName, partition: PartitionDay(day)!, stageID: stage)
    }

    /// How many lines the stage's checkpoint holds, read through the verifying reader.
    func lineCount(_ stage: String, _ day: String = "2026-11-20") throws -> Int {
        var count = 0
        try CheckpointReader.open(location(stage, day)).forEachLine { _ in count += 1 }
        return count
    }

    final class Printed: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) {
            lock.lock()
            stored.append(line)
            lock.unlock()
        }
        var lines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
    }
}

extension RunResult {
    /// The status of each unit in the report, as `stage@day: status`.
    var statuses: [String: UnitStatus] {
        Dictionary(uniqueKeysWithValues: (report?.units ?? []).map { ("\($0.stage)@\($0.partition)", $0.status) })
    }

    func status(_ stage: String, _ day: String = "2026-11-20") -> UnitStatus? {
        statuses["\(stage)@\(day)"]
    }
}
