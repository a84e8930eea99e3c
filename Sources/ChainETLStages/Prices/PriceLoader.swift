import ChainETLCore
import ChainETLPostgres

/// Applies one day of a price file, and the configured fixed prices, in one transaction.
///
/// `check` sees the counts once the day's rows are replaced, before the commit; when it throws,
/// the transaction rolls back and nothing changes.
///
/// The day's `token_prices` rows of this source become exactly the file's rows for the day (the
/// last row wins when a token repeats); unchanged rows are left alone, so a reload of the same
/// file changes nothing. Fixed prices are upserted; tokens without any price stay unpriced, and
/// the aggregates leave their `…_usd` columns null, never 0.
struct PriceLoader {
    /// What one load did.
    struct Counts: Equatable, Sendable {
        var prices = 0
        var pricesChanged = 0
        var pricesRemoved = 0
        var fixedChanged = 0
        /// The day's prices of this source before the load.
        var previous = 0
    }

    let pipeline: String
    let stageID: String
    /// The `source` of the day's rows: the file as the pipeline names it.
    let source: String
    let fixed: [TokenPrice]

    func load(
        day: PartitionDay, manifestHash: String, connection: PostgresConnection,
        forEachPrice: ((TokenPrice) throws -> Void) throws -> Void,
        check: (Counts) throws -> Void = { _ in }
    ) throws -> Counts {
        var counts = Counts()
        try connection.transaction {
            counts.previous =
                try connection.execute(
                    SQLQuery(
                        "SELECT count(*) FROM token_prices WHERE day = $1::date AND source = $2",
                        [day.description, source])
                ).int(row: 0, column: 0) ?? 0
            try connection.execute(
                SQLQuery(
                    unsafeSQL: """
                        CREATE TEMP TABLE chainetl_prices_incoming (
                            chain_id bigint, token_address text, usd numeric, ordinal bigint
                        ) ON COMMIT DROP
                        """))
            var ordinal = 0
            _ = try connection.copyIn(
                SQLQuery(unsafeSQL: "COPY chainetl_prices_incoming (chain_id, token_address, usd, ordinal) FROM STDIN")
            ) { writer in
                try forEachPrice { price in
                    ordinal += 1
                    writer.appendField(price.chainID)
                    writer.appendField(price.tokenAddress)
                    writer.appendField(price.usd)
                    writer.appendField(ordinal)
                    try writer.endRow()
                }
            }
            try connection.execute(
                SQLQuery(
                    unsafeSQL: """
                        CREATE TEMP TABLE chainetl_prices_day ON COMMIT DROP AS
                        SELECT DISTINCT ON (token_address, chain_id) chain_id, token_address, usd
                        FROM chainetl_prices_incoming ORDER BY token_address, chain_id, ordinal DESC
                        """))
            counts.prices =
                try connection.execute(SQLQuery("SELECT count(*) FROM chainetl_prices_day")).int(row: 0, column: 0)
                ?? 0
            counts.pricesChanged =
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO token_prices AS p (chain_id, token_address, day, usd, source)
                        SELECT chain_id, token_address, $1::date, usd, $2 FROM chainetl_prices_day
                        ON CONFLICT (token_address, chain_id, day) DO UPDATE
                        SET usd = EXCLUDED.usd, source = EXCLUDED.source
                        WHERE (p.usd, p.source) IS DISTINCT FROM (EXCLUDED.usd, EXCLUDED.source)
                        """, [day.description, source])
                ).affectedRows ?? 0
            counts.pricesRemoved =
                try connection.execute(
                    SQLQuery(
                        """
                        DELETE FROM token_prices p
                        WHERE p.day = $1::date AND p.source = $2
                          AND NOT EXISTS (SELECT 1 FROM chainetl_prices_day d
                                          WHERE d.chain_id = p.chain_id AND d.token_address = p.token_address)
                        """, [day.description, source])
                ).affectedRows ?? 0
            try check(counts)
            counts.fixedChanged =
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO token_fixed_prices AS f (chain_id, token_address, usd)
                        SELECT chain_id::bigint, token_address, usd::numeric
                        FROM unnest($1::text[], $2::text[], $3::text[]) AS u(chain_id, token_address, usd)
                        ON CONFLICT (token_address, chain_id) DO UPDATE SET usd = EXCLUDED.usd
                        WHERE f.usd IS DISTINCT FROM EXCLUDED.usd
                        """,
                        [
                            PostgresTextArray(fixed.map { String($0.chainID) }),
                            PostgresTextArray(fixed.map(\.tokenAddress)), PostgresTextArray(fixed.map(\.usd)),
                        ])
                ).affectedRows ?? 0
            let changed = counts.pricesChanged + counts.pricesRemoved + counts.fixedChanged
            try LoadLedger.record(
                LoadLedger.Entry(
                    pipeline: pipeline, partition: day, stage: stageID, source: source, manifestHash: manifestHash,
                    rowsInserted: counts.pricesChanged + counts.fixedChanged, rowsPresent: counts.prices,
                    rowsRemoved: counts.pricesRemoved),
                changed: changed > 0, on: connection)
        }
        return counts
    }
}
