import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// load/address-book and entity attribution against PostgreSQL.
@Suite("address book stage")
struct AddressBookStageTests {
    static let day = PartitionDay("2026-11-30")!
    static let day2 = PartitionDay("2026-12-01")!
    static let u1 = "0x" + String(repeating: "11", count: 20)
    static let u2 = "0x" + String(repeating: "22", count: 20)
    static let u3 = "0x" + String(repeating: "33", count: 20)
    static let u4 = "0x" + String(repeating: "44", count: 20)

    /// acme-fac reaches U2 through two roles; acme owns acme-fac; U4 names an unknown entity.
    static let book = """
        entity_id,name,kind,owner_entity_id,chain_id,address,role
        acme,Acme Corp,company,,1,\(u1),treasury
        acme-fac,Acme Facilitator,facilitator,acme,1,\(u2),reward
        acme-fac,,,,1,\(u2.uppercased().replacingOccurrences(of: "0X", with: "0x")),facilitator_pay_to
        ghost,,,,1,\(u4),reward
        """

    static func pipeline(policy: String) -> String {
        """
        stages:
          - id: book
            uses: load/address-book
            with:
              file: data/book.csv
              quarantine_threshold: 0.2   # the ghost row names an unknown entity
          - id: aggregate
            uses: aggregate
            needs: [book]
            with:
              files: [sql/daily_address_volume.sql, sql/entity_daily_volume.sql]
              policy: \(policy)
        """
    }

    static func harness(policy: String = "stack") throws -> StageHarness {
        let harness = try StageHarness(
            pipeline(policy: policy), files: ["data/book.csv": book],
            repositoryFiles: ["sql/daily_address_volume.sql", "sql/entity_daily_volume.sql"])
        try harness.applyFixture("aggregates.transfers.two-days.sql")
        return harness
    }

    static let tableDump = """
        SELECT 'e|' || entity_id || '|' || name || '|' || kind || '|' || coalesce(owner_entity_id, '∅') || '|' ||
               metadata::text || '|' || coalesce(source, '∅')
        FROM entities
        UNION ALL
        SELECT 'a|' || entity_id || '|' || chain_id || '|' || address || '|' || role || '|' || coalesce(source, '∅')
        FROM entity_addresses
        ORDER BY 1
        """

    @Test func loadingIsIdempotentAndUnknownEntitiesAreReportedNotFatal() throws {
        let harness = try Self.harness()
        let first = try harness.run("book", day: Self.day)
        #expect(first.outcome.details["addresses.unknown_entity"] == "1")
        #expect(first.outcome.details["quarantine.rows"] == "1")
        #expect(
            first.outcome.details["quarantine.examples"]?.contains("data/book.csv:5: unknown entity 'ghost'") == true)
        #expect(first.outcome.counts == RowCounts(rowsIn: 6, rowsOut: 5, quarantined: 1))
        let quarantine = try harness.lines("book", day: Self.day, sideFile: QuarantineSink.fileName)
        #expect(quarantine.count == 1)
        #expect(quarantine.first?.contains(#""line":5"#) == true)

        let loaded = try harness.rows(Self.tableDump)
        #expect(
            loaded == [
                "a|acme-fac|1|\(Self.u2)|facilitator_pay_to|data/book.csv",
                "a|acme-fac|1|\(Self.u2)|reward|data/book.csv",
                "a|acme|1|\(Self.u1)|treasury|data/book.csv",
                "e|acme-fac|Acme Facilitator|facilitator|acme|{}|data/book.csv",
                "e|acme|Acme Corp|company|∅|{}|data/book.csv",
            ])
        let loadedAt = try harness.value("SELECT loaded_at::text FROM etl_loads WHERE stage = 'book'")

        let second = try harness.run("book", day: Self.day)
        #expect(second.outcome.details["entities.changed"] == "0")
        #expect(second.outcome.details["addresses.added"] == "0")
        #expect(second.outcome.details["addresses.removed"] == "0")
        #expect(try harness.rows(Self.tableDump) == loaded)
        // Unchanged data does not make aggregates stale.
        #expect(try harness.value("SELECT loaded_at::text FROM etl_loads WHERE stage = 'book'") == loadedAt)
        #expect(try harness.isUpToDate("book", day: Self.day))
    }

    @Test func rowsNoLongerInTheBookAreRemovedForThatSourceOnly() throws {
        let harness = try Self.harness()
        try harness.connection.execute(
            .init("INSERT INTO entities (entity_id, name, kind) VALUES ('manual', 'Manual', 'fund')"))
        try harness.connection.execute(
            .init(
                "INSERT INTO entity_addresses (entity_id, chain_id, address, role) VALUES ('manual', 1, $1, 'treasury')",
                [Self.u3]))
        try harness.run("book", day: Self.day)
        try harness.rewrite(
            "data/book.csv",
            """
            entity_id,name,kind,owner_entity_id,chain_id,address,role
            acme,Acme Corporation,company,,1,\(Self.u1),treasury
            manual,,,,1,\(Self.u4),reward
            """)
        #expect(try !harness.isUpToDate("book", day: Self.day))
        // 3 of the book's 5 rows go: more than max_shrink allows without --force.
        let reload = try harness.run("book", day: Self.day, options: StageOptions(force: true))
        #expect(reload.outcome.details["entities.removed"] == "1")
        #expect(reload.outcome.details["addresses.removed"] == "2")
        #expect(
            try harness.rows(Self.tableDump) == [
                "a|acme|1|\(Self.u1)|treasury|data/book.csv", "a|manual|1|\(Self.u3)|treasury|∅",
                "a|manual|1|\(Self.u4)|reward|data/book.csv", "e|acme|Acme Corporation|company|∅|{}|data/book.csv",
                "e|manual|Manual|fund|∅|{}|∅",
            ])
    }

    @Test func facilitatorPayToAddressesCountForTheOwnerWhenTheOwnerExistedBefore() throws {
        let harness = try Self.harness()
        // The owner is in the database before any book is loaded; the book only names it.
        try harness.connection.execute(
            .init("INSERT INTO entities (entity_id, name, kind) VALUES ('holding', 'Holding', 'company')"))
        try harness.rewrite(
            "data/book.csv",
            """
            entity_id,name,kind,owner_entity_id,chain_id,address,role
            pay,Pay,facilitator,holding,1,\(Self.u2),facilitator_pay_to
            pay,,,,1,\(Self.u1),reward
            """)
        try harness.run("book", day: Self.day)
        #expect(
            try harness.rows(
                "SELECT entity_id, address, role, coalesce(via_entity_id, '∅') FROM entity_address_attribution ORDER BY 1, 3"
            )
                == [
                    "holding|\(Self.u2)|facilitator_pay_to|pay", "pay|\(Self.u2)|facilitator_pay_to|∅",
                    "pay|\(Self.u1)|reward|∅",
                ])
        try harness.run("aggregate", day: Self.day)
        // Token A on 2026-11-30: U2 received 300 + 300 and sent 100 (see the fixture).
        let holding = try harness.rows(
            """
            SELECT token_address, sent_raw::text, received_raw::text FROM entity_daily_volume
            WHERE entity_id = 'holding' AND day = '2026-11-30' ORDER BY 1
            """)
        let u2 = try harness.rows(
            """
            SELECT token_address, sent_raw::text, received_raw::text FROM daily_address_volume
            WHERE address = $1 AND chain_id = 1 AND day = '2026-11-30' ORDER BY 1
            """, [Self.u2])
        #expect(!holding.isEmpty)
        #expect(holding == u2)
    }

    @Test(arguments: [("stack", 2), ("dedupe", 1)])
    func anAddressWithTwoRolesCountsPerPolicy(policy: String, factor: Int) throws {
        let harness = try Self.harness(policy: policy)
        try harness.run("book", day: Self.day)
        try harness.run("aggregate", day: Self.day)
        let u2 = try harness.rows(
            """
            SELECT token_address || '|' || sent_raw * $2::int || '|' || received_raw * $2::int || '|' ||
                   sent_count * $2::int || '|' || received_count * $2::int
            FROM daily_address_volume WHERE address = $1 AND chain_id = 1 AND day = '2026-11-30' ORDER BY 1
            """, [Self.u2, factor])
        let entity = try harness.rows(
            """
            SELECT token_address || '|' || sent_raw || '|' || received_raw || '|' || sent_count || '|' || received_count
            FROM entity_daily_volume WHERE entity_id = 'acme-fac' AND day = '2026-11-30' ORDER BY 1
            """)
        #expect(!u2.isEmpty)
        #expect(entity == u2)
        #expect(try harness.value("SELECT DISTINCT policy FROM entity_daily_volume") == policy)
    }
}
