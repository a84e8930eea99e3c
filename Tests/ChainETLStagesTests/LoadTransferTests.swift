import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLStages

/// `TransferLoader` against the real test server: first load, rerun, corrections, other owners,
/// escaping, and loads that die half way.
@Suite("Load transfers into Postgres")
struct LoadTransferTests {
    let day = (1...5).map { LoadFixtureTransfer.number($0) }

    @Test("a first load streams every row into the month partition and records the ledger row")
    func firstLoadInsertsAll() throws {
        let database = try LoadTestDatabase()
        let lines = LoadFixtureLines(day)
        let result = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)

        #expect(result.mode == .firstLoad)
        #expect(result.counts == RowCounts(rowsIn: 5, rowsOut: 5))
        #expect(result.held == 5)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
        #expect(try database.count("SELECT count(*) FROM transfers_y2026m11") == 5)
        #expect(try database.column("SELECT DISTINCT pipeline FROM transfers") == ["demo"])
        let ledger = try database.column(
            """
            SELECT concat_ws(',', source, manifest_hash, rows_inserted, rows_present, rows_removed, rows_held)
            FROM etl_loads WHERE pipeline = 'demo' AND partition = '2026-11-20' AND stage = 'load'
            """)
        #expect(ledger == ["dedupe,hash-1,5,0,0,5"])
    }

    @Test("the same checkpoint loaded twice inserts nothing and does not read the checkpoint again")
    func sameCheckpointTwiceIsNoop() throws {
        let database = try LoadTestDatabase()
        let lines = LoadFixtureLines(day)
        _ = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        let loadedAt = try database.column("SELECT DISTINCT loaded_at::text FROM transfers")

        let again = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        #expect(again.mode == .unchanged)
        #expect(again.counts == RowCounts(rowsIn: 5, rowsOut: 0, duplicates: 5))
        #expect(lines.passes == 1)
        #expect(try database.column("SELECT DISTINCT loaded_at::text FROM transfers") == loadedAt)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
        #expect(try database.loader().isCurrent(.fixture(totalRows: 5)))
        #expect(try !database.loader().isCurrent(.fixture(manifestHash: "hash-2", totalRows: 5)))
    }

    @Test("rows deleted behind the ledger's back make the same checkpoint load again")
    func missingRowsReload() throws {
        let database = try LoadTestDatabase()
        let lines = LoadFixtureLines(day)
        _ = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        try database.connection.execute(SQLQuery(unsafeSQL: "DELETE FROM transfers WHERE block_number = 21000002"))
        #expect(try !database.loader().isCurrent(.fixture(totalRows: 5)))

        let again = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        #expect(again.mode == .replaced)
        #expect(again.counts == RowCounts(rowsIn: 5, rowsOut: 1, duplicates: 4))
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
        #expect(try database.loader().isCurrent(.fixture(totalRows: 5)))
    }

    @Test("a corrected checkpoint replaces the partition's rows: one removed, one added, one changed")
    func correctedCheckpointReplacesRows() throws {
        let database = try LoadTestDatabase()
        _ = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)

        var corrected = day
        corrected.remove(at: 0)  // transfer 1 is gone
        corrected[0].value = "999999"  // transfer 2 changed: new identity, so a new transfer_id
        corrected.append(LoadFixtureTransfer.number(6))  // transfer 6 is new
        let result = try database.loader().load(
            .fixture(manifestHash: "hash-2", totalRows: 5), lines: LoadFixtureLines(corrected).source)

        #expect(result.mode == .replaced)
        #expect(result.removed == 2)
        #expect(result.inserted == 2)
        #expect(result.present == 3)
        #expect(result.counts.balances)
        #expect(try database.storedTransfers() == corrected.map(\.stored).sorted())
        #expect(
            try database.column("SELECT rows_removed || '/' || rows_inserted || '/' || rows_held FROM etl_loads") == [
                "2/2/5"
            ])
    }

    @Test("a correction of a non-key field (token symbol) replaces that row too")
    func changedMetadataIsReplaced() throws {
        let database = try LoadTestDatabase()
        _ = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        var corrected = day
        corrected[2].tokenSymbol = "USDC.e"
        let result = try database.loader().load(
            .fixture(manifestHash: "hash-2", totalRows: 5), lines: LoadFixtureLines(corrected).source)
        #expect(result.removed == 1)
        #expect(result.inserted == 1)
        #expect(try database.storedTransfers() == corrected.map(\.stored).sorted())
    }

    @Test("a transfer another pipeline loaded first counts as present, stays that pipeline's, and is never removed")
    func otherPipelineRowsArePresent() throws {
        let database = try LoadTestDatabase()
        let shared = Array(day.prefix(2))
        _ = try database.loader().load(
            .fixture(pipeline: "other", totalRows: 2), lines: LoadFixtureLines(shared).source)

        let result = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        #expect(result.mode == .replaced)
        #expect(result.counts == RowCounts(rowsIn: 5, rowsOut: 3, duplicates: 2))
        #expect(result.held == 3)
        #expect(try database.storedTransfers(pipeline: "other") == shared.map(\.stored).sorted())
        #expect(try database.storedTransfers(pipeline: "demo") == day.dropFirst(2).map(\.stored).sorted())

        // A correction of ours that drops a shared transfer leaves the other pipeline's row alone.
        let again = try database.loader().load(
            .fixture(manifestHash: "hash-2", totalRows: 4), lines: LoadFixtureLines(Array(day.dropFirst())).source)
        #expect(again.removed == 0)
        #expect(try database.count("SELECT count(*) FROM transfers") == 5)
        // And the unchanged rerun is a no-op although the other pipeline holds some of the rows.
        let rerun = try database.loader().load(
            .fixture(manifestHash: "hash-2", totalRows: 4), lines: LoadFixtureLines(Array(day.dropFirst())).source)
        #expect(rerun.mode == .unchanged)
        #expect(rerun.counts == RowCounts(rowsIn: 4, rowsOut: 0, duplicates: 4))
    }

    @Test("rows of chains the stage does not load are excluded and counted")
    func otherChainsAreExcluded() throws {
        let database = try LoadTestDatabase()
        let mixed = day + [LoadFixtureTransfer.number(7, chainID: 25), LoadFixtureTransfer.number(8, chainID: 25)]
        let result = try database.loader().load(.fixture(totalRows: 7), lines: LoadFixtureLines(mixed).source)
        #expect(result.counts == RowCounts(rowsIn: 7, rowsOut: 5, excluded: 2))
        #expect(try database.column("SELECT DISTINCT chain_id::text FROM transfers") == ["1"])

        let rerun = try database.loader().load(.fixture(totalRows: 7), lines: LoadFixtureLines(mixed).source)
        #expect(rerun.mode == .unchanged)
        #expect(rerun.counts == RowCounts(rowsIn: 7, rowsOut: 0, duplicates: 5, excluded: 2))
    }

    @Test("a checkpoint repeating a transfer falls back from COPY to staging and counts the repeat as present")
    func duplicateInsideCheckpoint() throws {
        let database = try LoadTestDatabase()
        let repeated = day + [day[3]]
        let lines = LoadFixtureLines(repeated)
        let result = try database.loader().load(.fixture(totalRows: 6), lines: lines.source)
        #expect(result.mode == .replaced)
        #expect(result.counts == RowCounts(rowsIn: 6, rowsOut: 5, duplicates: 1))
        #expect(lines.passes == 2)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
    }

    @Test("token names with tabs, newlines, backslashes, quotes, NUL and any unicode survive the round trip")
    func nastyTextRoundTrip() throws {
        let database = try LoadTestDatabase()
        let names: [String?] = [
            "tab\there", "line\nbreak\r\n", "back\\slash \\N \\. \\x00", "quote \" and 'single'", "nul\u{0}byte",
            "emoji 🦄 ÆØÅ 中文 עברית", "\u{7f}\u{1}\u{8}\u{b}\u{c}", "\\", nil, "",
        ]
        let transfers = names.enumerated().map { index, name in
            var transfer = LoadFixtureTransfer.number(index + 1)
            transfer.tokenName = name
            transfer.tokenSymbol = name.map { "S\($0.prefix(3))" }
            return transfer
        }
        let result = try database.loader().load(
            .fixture(totalRows: transfers.count), lines: LoadFixtureLines(transfers).source)
        #expect(result.inserted == transfers.count)
        #expect(result.replacedNULs == 1)
        #expect(try database.storedTransfers() == transfers.map(\.stored).sorted())
        let stored = try database.column("SELECT token_name FROM transfers ORDER BY block_number")
        #expect(stored == names.map { $0?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") })
    }

    @Test("binary COPY stores every column's edge values exactly as the text record says, loaded_at = the ledger's")
    func binaryEdgeValuesRoundTrip() throws {
        let database = try LoadTestDatabase()
        let values = [
            "0", "1", "9999", "10000", "10001", "100000000", "123456789012345678901234567890",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        ]
        let transfers = values.enumerated().map { index, value in
            var transfer = LoadFixtureTransfer.number(index + 1)
            transfer.value = value
            transfer.blockTime = ["2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z"][index % 2]
            transfer.blockNumber = [0, 9_223_372_036_854_775_807][index % 2]
            transfer.logIndex = [nil, 0, 2_147_483_647][index % 3]
            transfer.occurrence = [0, 2_147_483_647][index % 2]
            transfer.tokenDecimals = [nil, 0, 255][index % 3]
            return transfer
        }
        let result = try database.loader().load(
            .fixture(totalRows: transfers.count), lines: LoadFixtureLines(transfers).source)
        #expect(result.inserted == transfers.count)
        #expect(try database.storedTransfers() == transfers.map(\.stored).sorted())
        #expect(
            try database.count(
                """
                SELECT count(*) FROM transfers t JOIN etl_loads l ON l.pipeline = t.pipeline AND l.stage = 'load'
                WHERE t.loaded_at = l.loaded_at
                """) == transfers.count)
    }

    @Test("a load that fails half way through its COPY leaves nothing, and the rerun equals a clean load")
    func abortedFirstLoadLeavesNothing() throws {
        let database = try LoadTestDatabase()
        let lines = LoadFixtureLines(day)
        lines.beforeLine = { if $0 == 4 { throw LoadInjectedFailure() } }
        #expect(throws: LoadInjectedFailure.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        }
        #expect(try database.count("SELECT count(*) FROM transfers") == 0)
        #expect(try database.count("SELECT count(*) FROM etl_loads") == 0)

        lines.beforeLine = nil
        let result = try database.loader().load(.fixture(totalRows: 5), lines: lines.source)
        #expect(result.mode == .firstLoad)
        #expect(try database.storedTransfers() == day.map(\.stored).sorted())
    }

    @Test("a backend killed mid-COPY (as by kill -9 of the loader) keeps the previous state; a rerun converges")
    func killedBackendMidCopy() throws {
        let database = try LoadTestDatabase()
        _ = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        let before = try database.storedTransfers()

        // The correction runs on its own connection, whose server process dies mid-COPY.
        let victim = try database.secondConnection()
        let victimPID = victim.backendPID
        var corrected = Array(day.dropFirst())
        corrected.append(LoadFixtureTransfer.number(6))
        // Enough lines that the COPY has sent data before the kill.
        let lines = LoadFixtureLines(corrected)
        lines.beforeLine = { line in
            if line == 3 {
                try database.connection.execute(SQLQuery("SELECT pg_terminate_backend($1)", [victimPID]))
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        #expect(throws: (any Error).self) {
            try TransferLoader(connection: victim, logger: LoadTestDatabase.logger)
                .load(.fixture(manifestHash: "hash-2", totalRows: 5), lines: lines.source)
        }
        #expect(try database.storedTransfers() == before)
        #expect(try database.column("SELECT manifest_hash FROM etl_loads") == ["hash-1"])

        lines.beforeLine = nil
        let rerun = try database.loader().load(.fixture(manifestHash: "hash-2", totalRows: 5), lines: lines.source)
        #expect(rerun.removed == 1)
        #expect(rerun.inserted == 1)
        #expect(try database.storedTransfers() == corrected.map(\.stored).sorted())
    }

    @Test("an invalid record fails the load with its line number and nothing is kept")
    func invalidRecordFailsWithLine() throws {
        let database = try LoadTestDatabase()
        var broken = day.map(\.line)
        broken[2] = LoadCopyEncoderTests.replacing("transfer_id", with: #""zz""#, in: broken[2])
        let error = try #require(throws: LoadError.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(lines: broken).source)
        }
        #expect("\(error)".contains("input dedupe, line 3: field transfer_id"))
        #expect(try database.count("SELECT count(*) FROM transfers") == 0)
    }

    @Test("two loads of the same day and chain serialize on the advisory lock")
    func concurrentLoadsSerialize() throws {
        let database = try LoadTestDatabase()
        let holder = try database.secondConnection()
        try holder.execute(SQLQuery(unsafeSQL: "BEGIN"))
        try holder.execute(
            SQLQuery(
                "SELECT pg_advisory_xact_lock(hashtextextended('chainetl.load|' || current_schema() || '|' || $1, 0))",
                ["transfers|1|2026-11-20"]))
        try database.connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '300ms'"))
        let error = try #require(throws: LoadError.self) {
            try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        }
        #expect("\(error)".contains("waiting for the load lock"))
        try holder.execute(SQLQuery(unsafeSQL: "ROLLBACK"))
        let result = try database.loader().load(.fixture(totalRows: 5), lines: LoadFixtureLines(day).source)
        #expect(result.inserted == 5)
    }
}
