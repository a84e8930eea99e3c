import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLStages

/// The `aggregate` stage against PostgreSQL: one transaction per partition, reruns, the ledger marker.
@Suite("aggregate stage")
struct AggregateStageTests {
    static let day1 = PartitionDay("2026-11-30")!
    static let day2 = PartitionDay("2026-12-01")!

    /// Every file, in the order docs/aggregates.md gives.
    static let files = [
        "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume", "holder_balances",
        "entity_daily_volume", "token_summary", "execution_daily_volume",
    ].map { "sql/\($0).sql" }

    static let tables = [
        "token_metadata", "daily_token_volume", "daily_address_volume", "hourly_token_volume", "daily_holder_flows",
        "holder_balances", "token_holder_counts", "entity_daily_volume", "token_summary_by_day", "execution_daily_volume",
    ]

    static func pipeline(policy: String = "stack", extra: String = "") -> String {
        """
        stages:
          - id: aggregate
            uses: aggregate
            with:
              files: [\(files.joined(separator: ", "))]
              policy: \(policy)
              work_mem: 32MB
        \(extra)
        """
    }

    static func harness(_ yaml: String = pipeline(), files extra: [String: String] = [:]) throws -> StageHarness {
        let harness = try StageHarness(yaml, files: extra, repositoryFiles: files)
        try harness.applyFixture("aggregates.transfers.two-days.sql")
        try harness.applyFixture("aggregates.address-book.stacked-roles.sql")
        try harness.applyFixture("aggregates.executions.period-boundaries.sql")
        return harness
    }

    /// Every aggregate table as sorted row texts.
    static func dump(_ harness: StageHarness) throws -> [String: [String]] {
        var dump: [String: [String]] = [:]
        for table in tables {
            dump[table] = try harness.rows("SELECT t::text FROM \(SQLIdentifier.quote(table)) t ORDER BY 1")
        }
        return dump
    }

    @Test func rerunningADayLeavesEveryTableIdentical() throws {
        let harness = try Self.harness()
        let first = try harness.run("aggregate", day: Self.day1)
        #expect(first.outcome.details["daily_token_volume.rows"] == "4")
        // holder_balances.sql is one WITH … INSERT: its rows come from the command tag (10 holders;
        // 0x33..33's token C balance is 0, so it has no row).
        #expect(first.outcome.details["holder_balances.rows"] == "10")
        #expect(first.outcome.details["policy"] == "stack")
        #expect(first.manifest.totalRows == 0)
        try harness.run("aggregate", day: Self.day2)
        let before = try Self.dump(harness)
        #expect(before.values.allSatisfy { !$0.isEmpty })

        let rerun = try harness.run("aggregate", day: Self.day1)
        #expect(rerun.outcome.details["daily_token_volume.deleted"] == "4")
        // Unchanged balances are not rewritten.
        #expect(rerun.outcome.details["holder_balances.rows"] == "0")
        try harness.run("aggregate", day: Self.day2)
        #expect(try Self.dump(harness) == before)
        // 12-01 last, as before: the summary is as of 12-01 either way.
        #expect(try harness.value("SELECT DISTINCT as_of_day::text FROM token_summary") == "2026-12-01")
    }

    @Test func theMarkerIsCurrentUntilAnotherStageLoadsThePartition() throws {
        let harness = try Self.harness()
        #expect(try !harness.isUpToDate("aggregate", day: Self.day1))
        try harness.run("aggregate", day: Self.day1)
        #expect(try harness.isUpToDate("aggregate", day: Self.day1))
        #expect(try !harness.isUpToDate("aggregate", day: Self.day2))

        // Another aggregate stage's marker is not a load; a load of the other day changes nothing here.
        for (stage, source, day) in [("other", "aggregate", Self.day1), ("load", "etherscan-logs", Self.day2)] {
            try LoadLedger.record(
                .init(
                    pipeline: harness.pipelineName, partition: day, stage: stage, source: source, manifestHash: "x",
                    rowsInserted: 1, rowsPresent: 1, rowsRemoved: 0),
                on: harness.connection)
        }
        #expect(try harness.isUpToDate("aggregate", day: Self.day1))

        try LoadLedger.record(
            .init(
                pipeline: harness.pipelineName, partition: Self.day1, stage: "load", source: "etherscan-logs",
                manifestHash: "y", rowsInserted: 1, rowsPresent: 1, rowsRemoved: 0),
            on: harness.connection)
        #expect(try !harness.isUpToDate("aggregate", day: Self.day1))
        try harness.run("aggregate", day: Self.day1)
        #expect(try harness.isUpToDate("aggregate", day: Self.day1))
    }

    @Test func editingAFileChangesTheConfigHash() throws {
        let harness = try Self.harness()
        try harness.run("aggregate", day: Self.day1)
        let text = try String(
            contentsOf: StageHarness.repository.appendingPathComponent("pipelines/sql/token_summary.sql"),
            encoding: .utf8)
        try harness.rewrite("sql/token_summary.sql", text + "\n-- edited\n")
        #expect(try !harness.isUpToDate("aggregate", day: Self.day1))
    }

    @Test func aFailingStatementRollsBackEveryFileOfThePartition() throws {
        let failing = """
            -- output: probe
            -- params: day_start timestamptz, day_end timestamptz, day date
            CREATE TABLE IF NOT EXISTS probe (day date, work_mem text);
            INSERT INTO probe SELECT $3, current_setting('work_mem');
            SELECT 1 / (SELECT count(*) - count(*) FROM probe)
            """
        let harness = try Self.harness(
            """
            stages:
              - id: aggregate
                uses: aggregate
                with:
                  files: [sql/daily_token_volume.sql, sql/probe.sql]
            """, files: ["sql/probe.sql": failing])
        let error = try #require(throws: AggregateError.self) { try harness.run("aggregate", day: Self.day1) }
        guard case .statementFailed(let path, let line, let stage, let partition, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect((path, line, stage, partition) == ("sql/probe.sql", 5, "aggregate", "2026-11-30"))
        #expect(try harness.value("SELECT count(*) FROM daily_token_volume") == "0")
        #expect(try harness.value("SELECT to_regclass('probe') IS NULL") == "t")
        #expect(try harness.value("SELECT count(*) FROM etl_loads") == "0")
    }

    @Test func workMemIsSetForTheTransactionOnly() throws {
        let probe = """
            -- output: probe
            -- params: day_start timestamptz, day_end timestamptz, day date
            CREATE TABLE IF NOT EXISTS probe (day date, work_mem text);
            INSERT INTO probe SELECT $3, current_setting('work_mem')
            """
        let harness = try Self.harness(
            """
            stages:
              - id: aggregate
                uses: aggregate
                with:
                  files: [sql/probe.sql]
                  work_mem: 48MB
            """, files: ["sql/probe.sql": probe])
        let run = try harness.run("aggregate", day: Self.day1)
        #expect(run.outcome.details["probe.rows"] == "1")
        #expect(try harness.value("SELECT day::text || '|' || work_mem FROM probe") == "2026-11-30|48MB")
    }

    @Test func configurationProblemsAreLocated() throws {
        let badParameter = """
            -- output: probe
            -- params: day_start timestamptz, day_end timestamptz, day date, threshold text
            SELECT $4
            """
        let cases: [(yaml: String, message: String)] = [
            (Self.pipeline(policy: "double"), "policy must be stack or dedupe, got 'double'"),
            (
                "stages:\n  - id: aggregate\n    uses: aggregate\n    with:\n      files: [sql/probe.sql]\n",
                "declares parameter 'threshold text', which the aggregate stage cannot bind"
            ),
            (
                "stages:\n  - id: aggregate\n    uses: aggregate\n    with:\n      files: [sql/missing.sql]\n",
                "aggregate sql file sql/missing.sql cannot be read"
            ),
            (
                "stages:\n  - id: aggregate\n    uses: aggregate\n    with:\n      files: [sql/probe.sql]\n      work_mem: lots\n",
                "work_mem must be a size such as 64MB"
            ),
        ]
        for (yaml, message) in cases {
            let harness = try StageHarness(yaml, files: ["sql/probe.sql": badParameter], repositoryFiles: Self.files)
            let diagnostic = try #require(throws: ConfigDiagnostic.self) { try harness.stage("aggregate") }
            #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
            #expect(diagnostic.location.line > 1)
        }
    }
}
