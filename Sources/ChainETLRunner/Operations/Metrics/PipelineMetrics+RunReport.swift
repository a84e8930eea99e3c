import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

extension PipelineMetrics {
    /// Metrics for `--metrics-file` after a run: the report's units, plus (with a connection) the last
    /// successful run, the ingest lag against the last known heads and today's API calls.
    ///
    /// Reads only; never asks an explorer (the run already did). Ledger problems are logged and
    /// the affected families left empty, so a metrics file is always written.
    public init(
        report: RunReport, pipeline: PipelineSpec?, connection: PostgresConnection?, environment: [String: String],
        logger: Logger, now: Date = Date()
    ) {
        self.init(pipeline: report.pipeline)
        stages = report.units.map { unit in
            StageSample(
                stage: unit.stage, partition: unit.partition,
                rows: unit.counts.map(RunReportDocument.RowAccounting.init),
                durationSeconds: unit.durationMS.map { Double($0) / 1000 }, status: unit.status.rawValue)
        }
        run = RunSample(
            durationSeconds: report.finishedAt.map { $0.timeIntervalSince(report.startedAt) } ?? 0,
            exitCode: report.exitCode, partitions: report.partitions.count)
        if report.status == .succeeded { lastSuccess = report.finishedAt }
        guard let connection else { return }
        do {
            let ledgerSuccess = try StatusQueries(connection: connection).lastSuccessfulRun(pipeline: report.pipeline)
            lastSuccess = [lastSuccess, ledgerSuccess].compactMap { $0 }.max()
            let scope: StatusRequest.Scope = pipeline.map { .pipeline($0) } ?? .named(report.pipeline)
            let status = try StatusReport.collect(
                StatusRequest(scope: scope, offline: true, now: now), connection: connection, heads: nil,
                environment: environment, logger: logger)
            ingestLag = status.chains.compactMap { chain in
                chain.lagSeconds.map { ChainLag(chain: chain.name ?? String(chain.chainID), seconds: $0) }
            }
            apiQuota = status.apiKeys.map { QuotaSample(fingerprint: $0.fingerprint, used: $0.used, limit: $0.limit) }
        } catch {
            logger.warning("ledger metrics not read", metadata: ["error": "\(error)"])
        }
    }
}
