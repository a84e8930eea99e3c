import ChainETLCore
import ChainETLPostgres

/// Applies an address book to `entities` and `entity_addresses` in one transaction, idempotently.
///
/// Rows are upserted with `source` = the book; rows of that source the book no longer has are
/// removed (other sources' rows are never touched). An address row whose entity is neither
/// defined by the book nor already in `entities` is reported and skipped. Loading the same book
/// twice changes nothing. Owner markers need no work here: the view `entity_address_attribution`
/// derives them at query time, for entities loaded before or after their owner.
struct AddressBookLoader {
    /// What one load did.
    struct Counts: Equatable, Sendable {
        var entities = 0
        var entitiesChanged = 0
        var entitiesRemoved = 0
        var addresses = 0
        var addressesAdded = 0
        var addressesRemoved = 0
        /// Address rows skipped because their entity is unknown.
        var unknownEntity = 0
        /// Entity and address rows of this source before the load.
        var previous = 0
    }

    let pipeline: String
    let stageID: String
    /// The `source` recorded on every row: the book's path as the pipeline names it.
    let source: String

    /// Loads `book`; rows naming an unknown entity go to `reject` (and are counted). `check` sees
    /// the counts before the transaction commits; when it throws, nothing changes.
    func load(
        _ book: AddressBookFile, partition: PartitionDay, manifestHash: String, connection: PostgresConnection,
        reject: (FileRowRejection) throws -> Void, check: (Counts) throws -> Void = { _ in }
    ) throws -> Counts {
        var counts = Counts()
        counts.entities = book.entities.count
        try connection.transaction {
            counts.previous =
                try connection.execute(
                    SQLQuery(
                        """
                        SELECT (SELECT count(*) FROM entities WHERE source = $1)
                             + (SELECT count(*) FROM entity_addresses WHERE source = $1)
                        """, [source])
                ).int(row: 0, column: 0) ?? 0
            let entities = book.entities
            counts.entitiesChanged =
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO entities AS e (entity_id, name, kind, owner_entity_id, metadata, source)
                        SELECT id, name, kind, owner, metadata::jsonb, $6
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                             AS f(id, name, kind, owner, metadata)
                        ON CONFLICT (entity_id) DO UPDATE
                        SET name = EXCLUDED.name, kind = EXCLUDED.kind, owner_entity_id = EXCLUDED.owner_entity_id,
                            metadata = EXCLUDED.metadata, source = EXCLUDED.source
                        WHERE (e.name, e.kind, e.owner_entity_id, e.metadata, e.source)
                              IS DISTINCT FROM
                              (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.owner_entity_id, EXCLUDED.metadata, EXCLUDED.source)
                        """,
                        [
                            PostgresTextArray(entities.map(\.id)), PostgresTextArray(entities.map(\.name)),
                            PostgresTextArray(entities.map(\.kind)), PostgresTextArray(entities.map(\.owner)),
                            PostgresTextArray(entities.map(\.metadataJSON)), source,
                        ])
                ).affectedRows ?? 0
            counts.entitiesRemoved =
                try connection.execute(
                    SQLQuery(
                        "DELETE FROM entities WHERE source = $1 AND NOT (entity_id = ANY ($2::text[]))",
                        [source, PostgresTextArray(entities.map(\.id))])
                ).affectedRows ?? 0

            let named = Array(Set(book.addresses.map(\.entityID)))
            let existing = try connection.execute(
                SQLQuery(
                    "SELECT entity_id FROM entities WHERE entity_id = ANY ($1::text[])", [PostgresTextArray(named)]))
            var known = Set<String>()
            for row in 0..<existing.count {
                if let id = existing.value(row: row, column: 0) { known.insert(id) }
            }
            var rows: [AddressBookAddress] = []
            var seen = Set<AddressBookAddress>()
            for address in book.addresses {
                guard known.contains(address.entityID) else {
                    counts.unknownEntity += 1
                    try reject(
                        FileRowRejection(
                            file: source, line: address.line,
                            reason: "unknown entity '\(address.entityID)'; define it in the book or load it first"))
                    continue
                }
                var key = address
                key.line = 0
                if seen.insert(key).inserted { rows.append(address) }
            }
            counts.addresses = rows.count
            let arrays: [(any PostgresBindable)?] = [
                PostgresTextArray(rows.map(\.entityID)), PostgresTextArray(rows.map { String($0.chainID) }),
                PostgresTextArray(rows.map(\.address)), PostgresTextArray(rows.map(\.role)), source,
            ]
            counts.addressesAdded =
                try connection.execute(
                    SQLQuery(
                        """
                        INSERT INTO entity_addresses AS a (entity_id, chain_id, address, role, source)
                        SELECT entity_id, chain_id::bigint, address, role, $5
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS f(entity_id, chain_id, address, role)
                        ON CONFLICT (entity_id, chain_id, address, role) DO UPDATE SET source = EXCLUDED.source
                        WHERE a.source IS DISTINCT FROM EXCLUDED.source
                        """, arrays)
                ).affectedRows ?? 0
            counts.addressesRemoved =
                try connection.execute(
                    SQLQuery(
                        """
                        DELETE FROM entity_addresses a
                        WHERE a.source = $5
                          AND NOT EXISTS (
                              SELECT 1 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                                   AS f(entity_id, chain_id, address, role)
                              WHERE f.entity_id = a.entity_id AND f.chain_id::bigint = a.chain_id
                                AND f.address = a.address AND f.role = a.role)
                        """, arrays)
                ).affectedRows ?? 0
            try check(counts)
            let changed =
                counts.entitiesChanged + counts.entitiesRemoved + counts.addressesAdded + counts.addressesRemoved
            try LoadLedger.record(
                LoadLedger.Entry(
                    pipeline: pipeline, partition: partition, stage: stageID, source: source,
                    manifestHash: manifestHash, rowsInserted: counts.entitiesChanged + counts.addressesAdded,
                    rowsPresent: counts.addresses,
                    rowsRemoved: counts.entitiesRemoved + counts.addressesRemoved),
                changed: changed > 0, on: connection)
        }
        return counts
    }
}
