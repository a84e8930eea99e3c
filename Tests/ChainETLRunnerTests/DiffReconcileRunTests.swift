import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

/// The `reconcile` stage through the runner against a second source's raw checkpoint, with the
/// store (`transfers`) filled directly, and the `etl_refetch` marks the runner honours (PostgreSQL).
@Suite("Reconcile in runs")
struct DiffReconcileRunTests {
    static let tokenA = "0x" + String(repeating: "a1", count: 20)
    static let tokenB = "0x" + String(repeating: "b2", count: 20)
    static let big = "57896044618658097711785492504343953926634992332820282019728792003956564819968"  // 2^255

    /// The day-1 transfers: (token, tx, value).
    static let day1: [(String, String, String)] = [
        (tokenA, "01", "100"), (tokenA, "02", big), (tokenA, "03", "7"), (tokenB, "04", "5"), (tokenB, "05", "5"),
    ]
    /// The day-2 transfers (only in the store: the second source dropped the day).
    static let day2: [(String, String, String)] = [(tokenA, "11", "9"), (tokenA, "12", "1"), (tokenB, "13", "3")]

    static func pipeline(refetch: Bool) -> String {
        """
        chains:
          eth:
            chain_id: 1
            explorer: etherscan
            base_url: http://127.0.0.1:9/api
            rate_limit: { per_second: 5 }
            confirmations: 12
        stages:
          - id: second
            uses: test/lines
            with:
              file: second.ndjson
              schema: raw-explorer-row/1
          - id: reconcile
            uses: reconcile
            needs: [second]
            with:
              against: second
              tolerance: 0
        \(refetch ? "      refetch: true" : "")
        """
    }

    static func txHash(_ suffix: String) -> String { "0x" + String(repeating: "e", count: 62) + suffix }

    /// A tokentx row of the second source, `offset` seconds into `day`.
    static func row(_ transfer: (String, String, String), day: String, offset: Int = 3600) -> String {
        let time = PartitionDay(day)!.startUnixSeconds + offset
        return """
            {"source":"etherscan-tokentx","chain_id":1,"request":{"endpoint":"account/tokentx","page":1},"row":{"blockNumber":"100","timeStamp":"\(time)","hash":"\(txHash(transfer.1))","from":"0x\(String(repeating: "1", count: 40))","contractAddress":"\(transfer.0)","to":"0x\(String(repeating: "2", count: 40))","value":"\(transfer.2)","tokenDecimal":"6","confirmations":"40"}}
            """
    }

    /// Puts `transfers` into the store for `pipeline` on `day`.
    static func store(_ transfers: [(String, String, String)], day: String, pipeline: String, on db: PostgresConnection)
        throws
    {
        try db.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [PartitionDay(day)!.start]))
        for (index, transfer) in transfers.enumerated() {
            try db.execute(
                SQLQuery(
                    """
                    INSERT INTO transfers (transfer_id, chain_id, block_number, block_time, tx_hash, occurrence,
                      token_address, from_address, to_address, value, source, pipeline)
                    VALUES (decode(md5($1), 'hex'), 1, 100, $2, $3, 0, $4, $5, $6, $7::numeric, 'etherscan-logs', $8)
                    """,
                    [
                        pipeline + day + transfer.1, PartitionDay(day)!.start.addingTimeInterval(Double(60 + index)),
                        txHash(transfer.1), transfer.0, "0x" + String(repeating: "1", count: 40),
                        "0x" + String(repeating: "2", count: 40), transfer.2, pipeline,
                    ]))
        }
    }

    static func openMarks(_ fixture: RunnerFixture, on db: PostgresConnection) throws -> [String] {
        let rows = try db.execute(
            SQLQuery(
                """
                SELECT partition::text || ' ' || chain_id || ' ' || token_address || ' ' || coalesce(marked_by_run, '')
                FROM etl_refetch WHERE pipeline = $1 AND cleared_at IS NULL ORDER BY 1
                """, [fixture.pipelineName]))
        return (0..<rows.count).compactMap { rows.value(row: $0, column: 0) }
    }

    static func lines(_ fixture: RunnerFixture, day: String = "2026-11-20") throws -> [[String: Any]] {
        var lines: [[String: Any]] = []
        try CheckpointReader.open(fixture.location("reconcile", day)).forEachLine { line in
            lines.append(try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]))
        }
        return lines
    }

    @Test func aDoubledTransferIsCaughtMarkedRefetchedAndCleared() throws {
        let fixture = try RunnerFixture(Self.pipeline(refetch: true))
        // Day 1 of the second source, with tokenA's "7" transfer doubled, plus rows reconcile must
        // not count: another day, and an ERC-721 log (4 topics).
        var second = Self.day1.map { Self.row($0, day: "2026-11-20") }
        second.append(Self.row(Self.day1[2], day: "2026-11-20", offset: 7200))
        second.append(Self.row((Self.tokenA, "99", "1000"), day: "2026-11-21"))
        second.append(
            """
            {"source":"etherscan-logs","chain_id":1,"request":{},"row":{"address":"\(Self.tokenA)","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000001111111111111111111111111111111111111111","0x0000000000000000000000002222222222222222222222222222222222222222","0x0000000000000000000000000000000000000000000000000000000000000001"],"data":"0x","timeStamp":"0x\(String(PartitionDay("2026-11-20")!.startUnixSeconds + 10, radix: 16))","logIndex":"0x1","transactionHash":"\(Self.txHash("98"))"}}
            """)
        try DiffRunner.write(second, to: "second.ndjson", in: fixture)
        // The first run applies the migrations and builds the second source's checkpoint.
        let first = try DiffRunner.run(fixture, select: ["second"])
        #expect(first.result.exitCode == 0)
        let db = try fixture.connect()
        defer { db.close() }
        try Self.store(Self.day1, day: "2026-11-20", pipeline: fixture.pipelineName, on: db)

        // Run 1: the store changed under reconcile (forced here; a load stage would rerun it).
        let run1 = try DiffRunner.run(fixture, select: ["reconcile"])
        #expect(run1.result.exitCode == 0)
        let lines = try Self.lines(fixture)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line["token_address"] as? String == Self.tokenA)
        #expect(line["day"] as? String == "2026-11-20")
        #expect(line["store_transfers"] as? Int == 3)
        #expect(line["source_transfers"] as? Int == 4)
        let storeSum = "57896044618658097711785492504343953926634992332820282019728792003956564820075"
        #expect(line["store_value_sum"] as? String == storeSum)
        #expect(
            line["source_value_sum"] as? String
                == "57896044618658097711785492504343953926634992332820282019728792003956564820082")
        #expect(line["transfers_difference"] as? Int == 1)
        #expect(line["value_sum_difference"] as? String == "+7")
        let unit = try DiffRunner.unit(run1.result, "reconcile")
        #expect(unit.details["reconcile.compared"] == "2")
        #expect(unit.details["reconcile.mismatched"] == "1")
        #expect(unit.details["reconcile.source.excluded"] == "1")
        #expect(unit.details["reconcile.source.quarantined"] == "1")
        #expect(unit.details["reconcile.source.first_quarantine_reason"] == "block_time_outside_partition")
        #expect(unit.details["reconcile.refetch.marked"] == "1")
        #expect(unit.counts == RowCounts(rowsIn: 2, rowsOut: 1, excluded: 1))
        #expect(run1.result.report?.events.contains { $0.kind == "reconcile.mismatch" } == true)
        let runID1 = run1.result.report!.runID
        #expect(try Self.openMarks(fixture, on: db) == ["2026-11-20 1 \(Self.tokenA) \(runID1)"])

        // Run 2: the extract is reloaded because of the mark, but still disagrees: the mark stays.
        let run2 = try DiffRunner.run(fixture)
        #expect(run2.result.exitCode == 0)
        #expect(try DiffRunner.unit(run2.result, "second").reason == RefetchMarks.reason)
        #expect(try DiffRunner.unit(run2.result, "second").status == .succeeded)
        #expect(try DiffRunner.unit(run2.result, "reconcile").status == .succeeded)
        let runID2 = run2.result.report!.runID
        #expect(try Self.openMarks(fixture, on: db) == ["2026-11-20 1 \(Self.tokenA) \(runID2)"])

        // Run 3: the refetch now returns the right rows: reconcile agrees and the mark is cleared.
        second.remove(at: Self.day1.count)
        try DiffRunner.write(second, to: "second.ndjson", in: fixture)
        let run3 = try DiffRunner.run(fixture)
        #expect(run3.result.exitCode == 0)
        #expect(try DiffRunner.unit(run3.result, "second").reason == RefetchMarks.reason)
        #expect(try DiffRunner.unit(run3.result, "reconcile").details["reconcile.mismatched"] == "0")
        #expect(try Self.lines(fixture).isEmpty)
        #expect(try Self.openMarks(fixture, on: db).isEmpty)
        let cleared = try db.execute(
            SQLQuery(
                "SELECT count(*) FROM etl_refetch WHERE pipeline = $1 AND cleared_by_run = $2 AND cleared_at IS NOT NULL",
                [fixture.pipelineName, run3.result.report!.runID]))
        #expect(try cleared.int(row: 0, column: 0) == 1)

        // Run 4: nothing is marked and nothing changed: both stages skip.
        let run4 = try DiffRunner.run(fixture)
        #expect(run4.result.exitCode == 0)
        #expect(run4.result.status("second") == .skipped)
        #expect(run4.result.status("reconcile") == .skipped)
    }

    @Test func aDroppedDayIsCaughtAndRefetchFromTheCommandLineMarksIt() throws {
        let fixture = try RunnerFixture(Self.pipeline(refetch: false))
        // The second source holds day 1 only: day 2 was dropped.
        try DiffRunner.write(Self.day1.map { Self.row($0, day: "2026-11-20") }, to: "second.ndjson", in: fixture)
        #expect(try DiffRunner.run(fixture, day: "2026-11-21", select: ["second"]).result.exitCode == 0)
        let db = try fixture.connect()
        defer { db.close() }
        try Self.store(Self.day2, day: "2026-11-21", pipeline: fixture.pipelineName, on: db)

        let run = try DiffRunner.run(fixture, day: "2026-11-21", refetch: true)
        #expect(run.result.exitCode == 0)
        let lines = try Self.lines(fixture, day: "2026-11-21")
        #expect(lines.count == 2)
        #expect(lines.map { $0["token_address"] as? String } == [Self.tokenA, Self.tokenB])
        #expect(lines.map { $0["store_transfers"] as? Int } == [2, 1])
        #expect(lines.map { $0["source_transfers"] as? Int } == [0, 0])
        #expect(lines.map { $0["value_sum_difference"] as? String } == ["-10", "-3"])
        let unit = try DiffRunner.unit(run.result, "reconcile")
        #expect(unit.details["reconcile.source.quarantined"] == "5")
        #expect(unit.details["reconcile.store.transfers"] == "3")
        let runID = run.result.report!.runID
        #expect(
            try Self.openMarks(fixture, on: db) == [
                "2026-11-21 1 \(Self.tokenA) \(runID)", "2026-11-21 1 \(Self.tokenB) \(runID)",
            ])
    }

    @Test func theRunnerClearsAMarkOnlyOnceThePartitionIsReloaded() throws {
        let fixture = try RunnerFixture(
            """
            stages:
              - id: second
                uses: test/lines
                with:
                  file: second.ndjson
                  schema: raw-explorer-row/1
              - id: copy
                uses: test/copy
                needs: [second]
            """)
        try DiffRunner.write([Self.row(Self.day1[0], day: "2026-11-20")], to: "second.ndjson", in: fixture)
        #expect(try DiffRunner.run(fixture).result.exitCode == 0)
        let db = try fixture.connect()
        defer { db.close() }
        try db.execute(
            SQLQuery(
                """
                INSERT INTO etl_refetch (pipeline, partition, chain_id, token_address, reason, marked_by_run)
                VALUES ($1, '2026-11-20', 1, $2, 'test', 'an earlier run')
                """, [fixture.pipelineName, Self.tokenA]))

        // The reload fails (the source file is gone): the mark stays.
        let file = fixture.pipelineFile.deletingLastPathComponent().appendingPathComponent("second.ndjson")
        try FileManager.default.removeItem(at: file)
        let failed = try DiffRunner.run(fixture)
        #expect(failed.result.exitCode == 1)
        #expect(try DiffRunner.unit(failed.result, "second").status == .failed)
        #expect(try Self.openMarks(fixture, on: db) == ["2026-11-20 1 \(Self.tokenA) an earlier run"])

        // The reload succeeds: the runner clears the mark, and the next run skips the extract.
        try DiffRunner.write([Self.row(Self.day1[0], day: "2026-11-20")], to: "second.ndjson", in: fixture)
        let reloaded = try DiffRunner.run(fixture)
        #expect(reloaded.result.exitCode == 0)
        #expect(try DiffRunner.unit(reloaded.result, "second").reason == RefetchMarks.reason)
        #expect(try Self.openMarks(fixture, on: db).isEmpty)
        let cleared = try db.execute(
            SQLQuery(
                "SELECT cleared_by_run FROM etl_refetch WHERE pipeline = $1 AND cleared_at IS NOT NULL",
                [fixture.pipelineName]))
        #expect(cleared.count == 1 && cleared.value(row: 0, column: 0) == reloaded.result.report!.runID)
        #expect(reloaded.stderr.contains("\"refetch.cleared\":\"1\""))
        #expect(try DiffRunner.run(fixture).result.status("second") == .skipped)
    }

    @Test func reconcileMustNameAStageItNeeds() throws {
        let fixture = try RunnerFixture(
            Self.pipeline(refetch: false).replacingOccurrences(of: "needs: [second]", with: "needs: []"))
        let run = try DiffRunner.run(fixture)
        #expect(run.result.exitCode == 2)
        #expect(run.stderr.contains("compares against second, which is not in its needs:"))
    }
}
