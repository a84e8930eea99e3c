import ChainETLCore
import ChainETLPostgres
import Foundation
import Synchronization
import Testing

@testable import ChainETLStages

/// The first load of a month builds its partition inside the load's transaction (copied without
/// indexes, then indexed and attached); later days copy into the indexed partition.
@Suite("Load a month's first day into a new partition")
struct LoadMonthPartitionTests {
    let day = (1...5).map { LoadFixtureTransfer.number($0) }
    let nextDay = (1...4).map { LoadFixtureTransfer.number($0, day: "2026-11-21") }

    @Test("a month's first load attaches a new partition with the parent's indexes; the next day copies into it")
    func firstLoadOfMonthAttachesPartition() throws {
        let database = try LoadTestDatabase()
        #expect(try database.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'transfers'::regclass") == 0)

        let first = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        #expect(first.mode == .firstLoad)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
        #expect(
            try database.column(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'transfers'::regclass")
                == ["transfers_y2026m11"])
        // Both of the parent's indexes exist on the partition and are attached to the parent's.
        #expect(
            try database.count(
                """
                SELECT count(*) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indexrelid
                WHERE i.indrelid = 'transfers_y2026m11'::regclass
                """) == 2)
        // The bounds check that spared the attach its scan is gone again; only the parent's remain.
        #expect(
            try database.count(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'transfers_y2026m11'::regclass AND contype = 'c'")
                == database.count(
                    "SELECT count(*) FROM pg_constraint WHERE conrelid = 'transfers'::regclass AND contype = 'c'"))

        let request = TransferLoadRequest(
            pipeline: "demo", partition: PartitionDay("2026-11-21")!, stage: "load", source: "dedupe",
            manifestHash: "hash-21", totalRows: 4, chainIDs: [1])
        let second = try database.loader().load(request, lines: LoadFixtureLines(nextDay).source)
        #expect(second.mode == .firstLoad)
        #expect(second.inserted == 4)
        #expect(try database.count("SELECT count(*) FROM transfers_y2026m11") == 9)
        #expect(try database.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'transfers'::regclass") == 1)
    }

    @Test("a month's first load that fails half way leaves no partition, and its rerun converges")
    func failedFirstLoadOfMonthLeavesNoPartition() throws {
        let database = try LoadTestDatabase()
        let lines = LoadFixtureLines(day)
        lines.beforeLine = { if $0 == 3 { throw LoadInjectedFailure() } }
        #expect(throws: LoadInjectedFailure.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        }
        #expect(try database.column("SELECT to_regclass('transfers_y2026m11')::text") == [nil])

        lines.beforeLine = nil
        let result = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        #expect(result.mode == .firstLoad)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
    }

    @Test("a load waits while another transaction creates the month partition, then copies into it")
    func waitsForPartitionBeingCreated() throws {
        let database = try LoadTestDatabase()
        let holder = try database.secondConnection()
        try holder.execute(SQLQuery(unsafeSQL: "BEGIN"))
        try holder.execute(SQLQuery(unsafeSQL: "SELECT chainetl_transfer_partition_lock()"))
        try database.connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '300ms'"))
        let error = try #require(throws: LoadError.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        }
        #expect("\(error)".contains("waiting for the partition lock"))

        try holder.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", ["2026-11-20T00:00:00Z"]))
        try holder.execute(SQLQuery(unsafeSQL: "COMMIT"))
        // The partition lock is one advisory key per database, which other suites' loads take
        // too: the retry waits as long as it must.
        try database.connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = 0"))
        let result = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        #expect(result.mode == .firstLoad)
        #expect(try database.count("SELECT count(*) FROM transfers_y2026m11") == 5)
    }

    @Test("a month's first load takes the partition lock before it reads transfers (no deadlock with prune)")
    func takesPartitionLockBeforeReadingTransfers() throws {
        let database = try LoadTestDatabase()
        // What prune holds while it drops a month: the partition lock, then transfers itself.
        let holder = try database.secondConnection()
        try holder.execute(SQLQuery(unsafeSQL: "BEGIN"))
        try holder.execute(SQLQuery(unsafeSQL: "SELECT chainetl_transfer_partition_lock()"))
        try holder.execute(SQLQuery(unsafeSQL: "LOCK TABLE transfers IN ACCESS EXCLUSIVE MODE"))
        try database.connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '300ms'"))
        // Had the load read transfers first, it would wait on the table while holding its lock on
        // it, and the two transactions would deadlock once prune waited for that lock in turn.
        let error = try #require(throws: LoadError.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        }
        #expect("\(error)".contains("waiting for the partition lock"))
        try holder.execute(SQLQuery(unsafeSQL: "ROLLBACK"))
        try database.connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = 0"))
        #expect(try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source).inserted == 5)
    }

    @Test("a load that waited while another created the month partition sees it and copies into it")
    func seesPartitionCommittedWhileWaiting() throws {
        let database = try LoadTestDatabase()
        // Another loader holds the partition lock and has created the partition, not committed.
        let other = PartitionCreator(connection: try database.secondConnection(), watcher: try database.secondConnection())
        try other.connection.execute(SQLQuery(unsafeSQL: "BEGIN"))
        try other.connection.execute(
            SQLQuery("SELECT chainetl_ensure_transfer_partition($1::timestamptz)", ["2026-11-20T00:00:00Z"]))
        // It commits once this load waits for the partition lock, so the load saw the partition
        // missing before the lock and must find it after.
        let loadPID = database.connection.backendPID
        Thread.detachNewThread { other.commitWhenWaiting(pid: loadPID) }
        let result = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        #expect(other.sawWaiter.withLock { $0 })
        #expect(result.mode == .firstLoad)
        #expect(try database.count("SELECT count(*) FROM transfers_y2026m11") == 5)
    }
}

/// A second loader's transaction, committed from another thread once a given backend waits for
/// an advisory lock.
private final class PartitionCreator: @unchecked Sendable {
    let connection: PostgresConnection
    let watcher: PostgresConnection
    let sawWaiter = Mutex(false)

    init(connection: PostgresConnection, watcher: PostgresConnection) {
        self.connection = connection
        self.watcher = watcher
    }

    func commitWhenWaiting(pid: Int) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let waiting = try? watcher.execute(
                SQLQuery(
                    "SELECT count(*) FROM pg_locks WHERE pid = $1 AND locktype = 'advisory' AND NOT granted", [pid])
            ).int(row: 0, column: 0)
            if waiting == 1 {
                sawWaiter.withLock { $0 = true }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        _ = try? connection.execute(SQLQuery(unsafeSQL: "COMMIT"))
    }
}
