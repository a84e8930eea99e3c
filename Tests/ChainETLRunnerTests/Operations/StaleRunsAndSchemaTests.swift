import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging
import Testing

@testable import ChainETLRunner

/// Runs whose process is gone, and a database migrated by a newer chainetl (issue 14, items 2 and 7).
@Suite("stale runs and newer schemas")
struct StaleRunsAndSchemaTests {
    func insertUnit(_ database: OperationsDatabase, runID: String, stage: String, status: String) throws {
        try database.connection.execute(
            SQLQuery(
                """
                INSERT INTO etl_stage_runs (run_id, pipeline, partition, stage, status)
                VALUES ($1, 'demo', '2026-11-20', $2, $3)
                """, [runID, stage, status]))
    }

    func status(_ database: OperationsDatabase, _ sql: String, _ id: String) throws -> [String] {
        let rows = try database.connection.execute(SQLQuery(sql, [id]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }

    @Test func aRunningRunWhoseLockIsFreeIsMarkedInterruptedWithItsRunningUnits() throws {
        let database = try OperationsDatabase()
        let dead = "dead-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let alive = "alive-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try database.insertRun(id: dead, pipeline: "demo", status: "running", finished: Date())
        try database.insertRun(id: alive, pipeline: "demo", status: "running", finished: Date())
        try insertUnit(database, runID: dead, stage: "extract", status: "succeeded")
        try insertUnit(database, runID: dead, stage: "load", status: "running")
        try insertUnit(database, runID: alive, stage: "load", status: "running")
        // The live run holds its run lock on its own session.
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let holder = try PostgresConnection.connect(url: url, applicationName: "live run", logger: Logger(label: "t"))
        defer { holder.close() }
        try RunLock.acquire(holder, runID: alive)

        let marked = try StaleRuns.markInterrupted(on: database.connection, logger: Logger(label: "t"))
        #expect(marked == [dead])
        #expect(try status(database, "SELECT status FROM etl_runs WHERE id = $1", dead) == ["interrupted"])
        #expect(try status(database, "SELECT status FROM etl_runs WHERE id = $1", alive) == ["running"])
        #expect(
            try status(database, "SELECT status FROM etl_stage_runs WHERE run_id = $1 ORDER BY stage", dead)
                == ["succeeded", "interrupted"])
        #expect(try status(database, "SELECT status FROM etl_stage_runs WHERE run_id = $1", alive) == ["running"])

        // `--select failed` now finds the interrupted unit.
        let ledger = RunLedger(
            connection: database.connection, runID: "reader", pipeline: "demo", logger: Logger(label: "t"))
        #expect(try ledger.failedStages(partition: PartitionDay("2026-11-20")!) == ["load"])
    }

    @Test func statusRefusesADatabaseMigratedByANewerChainetl() throws {
        let database = try OperationsDatabase()
        #expect(StatusCommand.newerSchema(database.connection) == nil)
        try database.connection.execute(
            SQLQuery(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, 'x')",
                [KnownMigrations.latestVersion + 1, "9999_from_the_future.sql"]))
        let message = try #require(StatusCommand.newerSchema(database.connection))
        #expect(message.contains("does not know: 9999_from_the_future.sql"))

        let base = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + database.schema
        let outcome = StatusCommand(
            pipeline: nil, json: false, lagThresholdSeconds: nil, offline: true, databaseURL: url,
            logger: Logger(label: "t")
        ).run(environment: [:], catalog: StageKindCatalogStub())
        #expect(outcome.exitCode == 2)
        #expect(outcome.errors.first?.contains("9999_from_the_future.sql") == true)
    }

    @Test func knownMigrationsMatchesTheSchemasFolder() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: OperationsDatabase.schemas.path)
        let latest = names.filter { $0.hasSuffix(".sql") }.compactMap { Int($0.prefix(4)) }.max()
        #expect(latest == KnownMigrations.latestVersion, "run `make migrations` after adding a migration")
    }
}

/// `status` with no pipeline argument never asks the catalog.
private struct StageKindCatalogStub: StageKindCatalog {
    var knownKinds: [String] { [] }
    func parameterSchema(forKind kind: String) -> StageParameterSchema? { nil }
}

@Suite("status after an interrupted run")
struct StatusInterruptedTests {
    @Test func anInterruptedUnitIsTheLastFailureAndItsPartitionIsNotDone() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let day = PartitionDay(containing: now).advanced(by: -1).description
        let database = try OperationsDatabase()
        try database.insertStageRun(
            run: "r1", pipeline: "nightly", partition: day, stage: "extract-eth", status: "interrupted",
            at: now.addingTimeInterval(-600), error: StaleRuns.unitError)
        let report = try StatusReport.collect(
            StatusRequest(
                scope: .pipeline(OperationsFixtures.pipeline()), lagThresholdSeconds: nil, offline: false, now: now),
            connection: database.connection, heads: nil, environment: [:], logger: OperationsDatabase.quietLogger)
        let ethereum = try #require(report.chains.first { $0.chainID == 1 })
        #expect(ethereum.lastFailure?.stage == "extract-eth")
        #expect(ethereum.lastFailure?.error == StaleRuns.unitError)
        #expect(report.pipelines.first?.failed == [PartitionDay(day)!])
        #expect(report.text.contains("last failure: nightly/extract-eth partition \(day)"))
    }
}
