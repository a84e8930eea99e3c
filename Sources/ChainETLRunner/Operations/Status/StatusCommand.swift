import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

/// `chainetl status`: resolves the pipeline argument, connects, collects and formats the report.
public struct StatusCommand {
    /// What to print and the exit code.
    public struct Outcome: Sendable {
        /// The report (text or JSON) for stdout; empty when it could not be collected.
        public var output: String
        /// Error lines for stderr.
        public var errors: [String]
        /// 0 ok; 1 database or explorer setup failure; 2 usage or config error; 4 lag above `--fail-if-lag`.
        public var exitCode: Int32
    }

    /// A pipeline file path (`pipelines/nightly.yaml`) or a pipeline name; nil means every pipeline.
    let pipeline: String?
    let json: Bool
    let lagThresholdSeconds: Double?
    let offline: Bool
    let databaseURL: String?
    let logger: Logger

    public init(
        pipeline: String?, json: Bool, lagThresholdSeconds: Double?, offline: Bool, databaseURL: String?,
        logger: Logger
    ) {
        self.pipeline = pipeline
        self.json = json
        self.lagThresholdSeconds = lagThresholdSeconds
        self.offline = offline
        self.databaseURL = databaseURL
        self.logger = logger
    }

    public func run(environment: [String: String], catalog: any StageKindCatalog, now: Date = Date()) -> Outcome {
        if let lagThresholdSeconds, !(lagThresholdSeconds >= 0) || !lagThresholdSeconds.isFinite {
            return Outcome(output: "", errors: ["--fail-if-lag must be a number of seconds ≥ 0"], exitCode: 2)
        }
        let scope: StatusRequest.Scope
        switch resolveScope(environment: environment, catalog: catalog) {
        case .success(let resolved): scope = resolved
        case .failure(let message): return Outcome(output: "", errors: [message], exitCode: 2)
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                url: databaseURL, applicationName: "chainetl status", logger: logger)
        } catch {
            return Outcome(
                output: "",
                errors: [
                    OperationsError.database(action: "connect to the ledger database", message: "\(error)").description
                ], exitCode: (error as? PostgresError)?.isUsageError == true ? 2 : 1)
        }
        defer { connection.close() }
        if let problem = Self.newerSchema(connection) {
            return Outcome(output: "", errors: [problem], exitCode: 2)
        }
        do {
            try StaleRuns.markInterrupted(on: connection, logger: logger)
        } catch {
            logger.warning("runs whose process is gone not marked interrupted", metadata: ["error": "\(error)"])
        }
        let heads = ExplorerChainHeadSource(environment: environment, quotaConnection: connection, logger: logger)
        let request = StatusRequest(scope: scope, lagThresholdSeconds: lagThresholdSeconds, offline: offline, now: now)
        do {
            let report = try StatusReport.collect(
                request, connection: connection, heads: heads, environment: environment, logger: logger)
            // The violations go to stderr in both modes, so a monitor's log shows why it failed.
            return Outcome(
                output: json ? try report.jsonText() : report.text,
                errors: report.lagViolations.map { "LAG EXCEEDED: \($0)" }, exitCode: report.exitCode)
        } catch let error as OperationsError {
            if case .usage = error { return Outcome(output: "", errors: ["\(error)"], exitCode: 2) }
            return Outcome(output: "", errors: ["\(error)"], exitCode: 1)
        } catch {
            return Outcome(output: "", errors: ["\(error)"], exitCode: 1)
        }
    }

    /// A message when the database has migrations this chainetl does not know (a newer version
    /// migrated it): its report would misread the tables, so `status` stops with exit 2.
    static func newerSchema(_ connection: PostgresConnection) -> String? {
        guard
            let rows = try? connection.execute(
                SQLQuery(
                    """
                    SELECT version, name FROM schema_migrations WHERE version > $1 ORDER BY version
                    """, [KnownMigrations.latestVersion])),
            rows.count > 0
        else { return nil }
        let names = (0..<rows.count).compactMap { rows.value(row: $0, column: 1) }
        return "the database has migrations this chainetl (\(ChainETLVersion.string)) does not know: "
            + "\(names.joined(separator: ", ")); a newer chainetl migrated it, so this status could be wrong: "
            + "run status with that newer chainetl, or point --database-url at this version's database"
    }

    private enum ScopeResult {
        case success(StatusRequest.Scope)
        case failure(String)
    }

    /// A path to an existing file (or one ending in `.yaml`/`.yml`) is loaded; anything else is a name.
    private func resolveScope(environment: [String: String], catalog: any StageKindCatalog) -> ScopeResult {
        guard let pipeline else { return .success(.all) }
        let looksLikeFile =
            pipeline.hasSuffix(".yaml") || pipeline.hasSuffix(".yml") || pipeline.contains("/")
            || FileManager.default.fileExists(atPath: pipeline)
        guard looksLikeFile else { return .success(.named(pipeline)) }
        guard FileManager.default.fileExists(atPath: pipeline) else {
            return .failure("pipeline file \(pipeline) does not exist; give a pipeline file or a pipeline name")
        }
        switch PipelineLoader.load(file: URL(fileURLWithPath: pipeline), environment: environment, catalog: catalog) {
        case .success(let spec): return .success(.pipeline(spec))
        case .failure(let diagnostics): return .failure(diagnostics.description)
        }
    }
}
