import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

extension RunReportPage {
    /// What the runner calls right after writing `<workdir>/runs/<run-id>.json`: renders the same
    /// report as `<workdir>/runs/<run-id>.html`, with the top tokens' daily volume when a database
    /// connection is given. Never fails the run: a problem is logged and nil returned.
    @discardableResult
    public static func write(
        report: RunReport, workdir: URL, connection: PostgresConnection?, logger: Logger
    ) -> URL? {
        var volumes: [RunReportDocument.DailyVolume] = []
        if let connection, let lastDay = report.partitions.max() {
            do {
                volumes = try DailyVolumeQuery.topTokens(connection: connection, through: lastDay)
            } catch {
                logger.warning("daily volume for the html report not read", metadata: ["error": "\(error)"])
            }
        }
        do {
            return try write(RunReportDocument(report: report, dailyVolumes: volumes), workdir: workdir)
        } catch {
            logger.error("html run report not written", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
