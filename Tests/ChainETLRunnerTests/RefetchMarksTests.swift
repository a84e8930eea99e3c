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

    @Test func onlyThePlainScheduledRunAddsMarkedDaysAndItClearsTheirMarks() throws {
        let fixture = try RunnerFixture(
            """
            stages:
              - id: extract
                uses: test/lines
                with:
                  file: rows.ndjson
                  schema: raw-explorer-row/1
              - id: copy
                uses: test/copy
                needs: [extract]
            """)
        try DiffRunner.write(["{\"row\":1}"], to: "rows.ndjson", in: fixture)
        let earlier = PartitionDay("2026-11-18")!
        let yesterday = PartitionDay("2026-11-20")!
        let now = Date(timeIntervalSince1970: TimeInterval(yesterday.endUnixSeconds + 3_600))
        #expect(try DiffRunner.run(fixture, day: "2026-11-18").result.exitCode == 0)
        let db = try fixture.connect()
        defer { db.close() }
        try db.execute(
            SQLQuery(
                """
                INSERT INTO etl_refetch (pipeline, partition, chain_id, token_address, reason, marked_by_run)
                VALUES ($1, '2026-11-18', 1, '0xa', 'test', 'an earlier run')
                """, [fixture.pipelineName]))

        // A run that names its stages covers yesterday alone, and the mark stays.
        let selected = try DiffRunner.run(fixture, select: ["extract+"], partitions: .yesterday, now: now)
        #expect(selected.result.exitCode == 0, "\(selected.stderr)")
        #expect(selected.result.report?.partitions == [yesterday])
        let forced = try DiffRunner.run(fixture, force: true, partitions: .yesterday, now: now)
        #expect(forced.result.report?.partitions == [yesterday])

        // --dry-run shows what the scheduled run would add: the marked day, its extract rerun.
        let printed = RunnerFixture.Printed()
        let preview = PipelineRunner(
            request: RunRequest(
                pipelineFile: fixture.pipelineFile, partitions: .yesterday, dryRun: true,
                databaseURL: fixture.databaseURL, workdir: fixture.workdir),
            registry: DiffRunner.registry, environment: ["CHAINETL_SCHEMAS": RunnerFixture.schemas],
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            console: RunConsole(
                output: TerminalOutput(handle: .nullDevice, drawsProgress: false), format: .json,
                standardOutput: { printed.append($0) }),
            now: now
        ).run()
        #expect(preview.status == .succeeded)
        let stdout = printed.lines
        #expect(stdout.contains("note: partition \(earlier) added: \(RefetchMarks.reason)"), "\(stdout)")
        #expect(
            stdout.contains { $0.hasPrefix("run  \(earlier) extract") && $0.hasSuffix(RefetchMarks.reason) },
            "\(stdout)")
        #expect(preview.summary.contains("2 partitions"), "\(preview.summary)")

        // The plain scheduled run adds the marked day, refetches it and clears the mark.
        let scheduled = try DiffRunner.run(fixture, partitions: .yesterday, now: now)
        #expect(scheduled.result.exitCode == 0, "\(scheduled.stderr)")
        #expect(scheduled.result.report?.partitions == [earlier, yesterday])
        let refetched = try #require(
            scheduled.result.report?.units.first { $0.stage == "extract" && $0.partition == earlier })
        #expect(refetched.status == .succeeded && refetched.reason == RefetchMarks.reason)
        #expect(scheduled.stderr.contains("refetch marks add partitions"))
        let open = try db.execute(
            SQLQuery(
                "SELECT count(*) FROM etl_refetch WHERE pipeline = $1 AND cleared_at IS NULL", [fixture.pipelineName]))
        #expect(try open.int(row: 0, column: 0) == 0)

        // Nothing is marked any more: the next scheduled run covers yesterday alone.
        let next = try DiffRunner.run(fixture, partitions: .yesterday, now: now)
        #expect(next.result.report?.partitions == [yesterday])
        #expect(next.result.report?.units.allSatisfy { $0.status == .skipped } == true)
    }
}
