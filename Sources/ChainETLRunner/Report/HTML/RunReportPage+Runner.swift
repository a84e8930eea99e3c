import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

extension RunReportPage {
    /// What the runner calls right after writing `<workdir>/runs/<run-id>.json`: renders the same
    /// report as `<workdir>/runs/<run-id>.html`, with the top tokens' daily volume when a database
    /// connection is given. Never fails the run: a problem is logged and nil returned.
    @discardableResult
    ///
    /// With a connection it also compares each chain's rows per day (`chainIDs`: the pipeline's
    /// chains, so a chain with no rows at all is seen) with the trailing 7-day median, flagging days
    /// below `lowDayShare` of it.
    public static func write(
        report: RunReport, workdir: URL, connection: PostgresConnection?, logger: Logger, chainIDs: [Int] = [],
        lowDayShare: Double = DailyRowsComparison.defaultShare
    ) -> URL? {
        var volumes: [RunReportDocument.DailyVolume] = []
        var dailyRows: [ChainDayRows] = []
        if let connection, let lastDay = report.partitions.max() {
            do {
                volumes = try DailyVolumeQuery.topTokens(connection: connection, through: lastDay)
            } catch {
                logger.warning("daily volume for the html report not read", metadata: ["error": "\(error)"])
            }
            do {
                dailyRows = try DailyRowsComparison.read(
                    connection: connection, chains: chainIDs, through: lastDay, share: lowDayShare)
                for low in dailyRows where low.flagged {
                    logger.warning(
                        "low day: rows below the share of the trailing median",
                        metadata: [
                            "chain.id": "\(low.chainID)", "partition": "\(low.day)", "rows.count": "\(low.rows)",
                            "rows.median": "\(low.trailingMedian.map { "\($0)" } ?? "none")",
                            "share.threshold": "\(lowDayShare)",
                        ])
                }
            } catch {
                logger.warning("rows per day for the html report not read", metadata: ["error": "\(error)"])
            }
        }
        do {
            let document = RunReportDocument(
                report: report, dailyVolumes: volumes, chainDailyRows: dailyRows, lowDayShare: lowDayShare)
            return try write(document, workdir: workdir)
        } catch {
            logger.error("html run report not written", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
