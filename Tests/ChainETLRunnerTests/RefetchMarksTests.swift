import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// Which `etl_refetch` marks a scheduled run (no partition given) serves, against the real
/// PostgreSQL of `make test`.
@Suite("Refetch marks of a scheduled run")
struct RefetchMarksTests {
    @Test func aScheduledRunServesTheMostRecentOpenMarksOfClosedDaysOfItsPipeline() throws {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "run with `make test`")
        let db = try PostgresConnection.connect(
            url: url, applicationName: "refetch marks test", logger: Logger(label: "test"))
        defer { db.close() }
        _ = try Migrator(directory: URL(fileURLWithPath: RunnerFixture.schemas)).migrate(db)
        let pipeline = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let other = pipeline + "_other"
        func mark(_ pipeline: String, _ day: String, token: String = "0xa", cleared: Bool = false) throws {
            try db.execute(
                SQLQuery(
                    """
                    INSERT INTO etl_refetch (pipeline, partition, chain_id, token_address, reason, cleared_at)
                    VALUES ($1, $2::date, 1, $3, 'test', CASE WHEN $4 THEN now() END)
                    """, [pipeline, day, token, cleared ? "true" : "false"]))
        }
        try mark(pipeline, "2026-11-10")
        try mark(pipeline, "2026-11-12")
        try mark(pipeline, "2026-11-12", token: "0xb")
        try mark(pipeline, "2026-11-14")
        try mark(pipeline, "2026-11-15", cleared: true)
        try mark(pipeline, "2026-11-16")  // today: not closed
        try mark(other, "2026-11-13")

        let scheduled = try RefetchMarks.openForScheduledRun(
            pipeline: pipeline, today: PartitionDay("2026-11-16")!, limit: 2, on: db)
        #expect(scheduled.marks.keys.sorted() == [PartitionDay("2026-11-12")!, PartitionDay("2026-11-14")!])
        #expect(scheduled.marks[PartitionDay("2026-11-12")!]?.count == 2)
        #expect(scheduled.leftOut == [PartitionDay("2026-11-10")!])

        let all = try RefetchMarks.openForScheduledRun(pipeline: pipeline, today: PartitionDay("2026-11-16")!, on: db)
        #expect(all.marks.keys.count == 3 && all.leftOut.isEmpty)
    }
}
