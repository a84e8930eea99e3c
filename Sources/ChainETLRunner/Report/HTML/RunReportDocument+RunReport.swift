import ChainETLCore
import Foundation

extension RunReportDocument {
    /// The page's view of the runner's JSON report, plus the chart's volumes.
    public init(
        report: RunReport, dailyVolumes: [DailyVolume] = [], chainDailyRows: [ChainDayRows] = [],
        lowDayShare: Double = DailyRowsComparison.defaultShare
    ) {
        self.init(
            pipeline: report.pipeline, runID: report.runID, status: report.status.rawValue,
            partitions: report.partitions, startedAt: report.startedAt, finishedAt: report.finishedAt,
            summary: report.summary, resumeCommand: report.resumeCommand,
            units: report.units.map { unit in
                Unit(
                    stage: unit.stage, kind: unit.kind, partition: unit.partition, status: unit.status.rawValue,
                    reason: unit.reason, startedAt: unit.startedAt, finishedAt: unit.finishedAt,
                    rows: unit.counts.map(RowAccounting.init), error: unit.error, diff: unit.diff)
            },
            events: report.events.map { event in
                Event(
                    at: event.at, stage: event.stageID, partition: event.partition, kind: event.kind,
                    message: event.message, details: event.details)
            },
            dailyVolumes: dailyVolumes, apiKeys: report.apiKeys ?? [], extractCalls: report.extractCalls,
            chainDailyRows: chainDailyRows, lowDayShare: lowDayShare)
    }
}

extension RunReportDocument.RowAccounting {
    /// A checkpoint manifest's counts.
    public init(_ counts: RowCounts) {
        self.init(
            rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, quarantined: counts.quarantined,
            duplicates: counts.duplicates, excluded: counts.excluded)
    }
}
