import ChainETLCore
import ChainETLPostgres
import Testing

@testable import ChainETLStages

/// `TransferPartitionPruner` against the real test server.
@Suite("Prune old transfer months")
struct PruneTransferTests {
    @Test("the cutoff is the partition day minus retention_days")
    func cutoff() {
        #expect(
            TransferPartitionPruner.cutoff(partition: PartitionDay("2026-11-20")!, retentionDays: 90)
                == PartitionDay("2026-08-22")!)
    }

    @Test("only months that end on or before the cutoff are dropped; newer months and summaries stay")
    func dropsOnlyOldMonths() throws {
        let database = try LoadTestDatabase()
        for month in ["2026-05-10", "2026-07-31", "2026-08-01", "2026-08-31", "2026-11-20"] {
            try database.connection.execute(
                SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", [month + "T12:00:00Z"]))
        }
        // One loaded row in a month that goes, one in a month that stays.
        var old = LoadFixtureTransfer.number(1, day: "2026-07-31")
        old.blockTime = "2026-07-31T23:59:59Z"
        _ = try database.loader().load(
            TransferLoadRequest(
                pipeline: "demo", partition: PartitionDay("2026-07-31")!, stage: "load", source: "dedupe",
                manifestHash: "h", totalRows: 1, chainIDs: [1]),
            lines: LoadFixtureLines([old]).source)
        _ = try database.loader().load(.fixture(totalRows: 1), lines: LoadFixtureLines([.number(1)]).source)

        let pruner = TransferPartitionPruner(connection: database.connection, logger: LoadTestDatabase.logger)
        let cutoff = TransferPartitionPruner.cutoff(partition: PartitionDay("2026-11-20")!, retentionDays: 90)
        #expect(try pruner.pending(before: cutoff) == ["transfers_y2026m05", "transfers_y2026m07"])

        let dropped = try pruner.prune(before: cutoff)
        #expect(dropped == ["transfers_y2026m05", "transfers_y2026m07"])
        #expect(
            try database.column(
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'transfers'::regclass ORDER BY 1"
            ) == ["transfers_y2026m08", "transfers_y2026m11"])
        #expect(
            try database.column("SELECT month::text FROM transfers_pruned_months ORDER BY 1") == [
                "2026-05-01", "2026-07-01",
            ])
        #expect(try database.count("SELECT count(*) FROM transfers") == 1)
        #expect(try database.count("SELECT count(*) FROM etl_loads") == 2)
        #expect(try pruner.pending(before: cutoff).isEmpty)
        #expect(try pruner.prune(before: cutoff).isEmpty)
    }

    @Test("the load ledger no longer counts a pruned partition as loaded")
    func prunedLoadIsNotCurrent() throws {
        let database = try LoadTestDatabase()
        _ = try database.loader().load(.fixture(totalRows: 1), lines: LoadFixtureLines([.number(1)]).source)
        #expect(try database.loader().isCurrent(.fixture(totalRows: 1)))
        let pruner = TransferPartitionPruner(connection: database.connection, logger: LoadTestDatabase.logger)
        #expect(try pruner.prune(before: PartitionDay("2026-12-01")!) == ["transfers_y2026m11"])
        #expect(try !database.loader().isCurrent(.fixture(totalRows: 1)))
    }
}
