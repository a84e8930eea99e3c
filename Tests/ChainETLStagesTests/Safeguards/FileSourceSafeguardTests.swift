import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

/// A file source that turns bad after a good load must fail its stage and leave the loaded rows
/// alone (issue 14, item 1), against PostgreSQL.
@Suite("file source safeguards")
struct FileSourceSafeguardTests {
    static let day = PartitionDay("2026-11-30")!
    static let token = "0x" + String(repeating: "ab", count: 20)

    // MARK: - Executions (extract/file → normalize/executions)

    static let executionsPipeline = """
        stages:
          - id: events
            uses: extract/file
            with:
              path: data/executions.ndjson
          - id: executions
            uses: normalize/executions
            needs: [events]
            with:
              mapping:
                execution_id: id
                venue: venue
                account: account
                executed_at: created_at
                status: status
                filled_size: filled_size
                fill_price: fill_price
        """

    static func execution(_ id: Int, size: String = "1", day: String = "2026-11-30") -> String {
        #"{"id":"e\#(id)","venue":"v","account":"a","created_at":"\#(day)T10:00:00Z","status":"filled","filled_size":"\#(size)","fill_price":"2"}"#
    }

    static let fourExecutions = (1...4).map { execution($0) }.joined(separator: "\n") + "\n"

    /// The harness after a good load of four executions on `day`.
    static func loadedExecutions(pipeline: String = executionsPipeline) throws -> StageHarness {
        let harness = try StageHarness(pipeline, files: ["data/executions.ndjson": fourExecutions])
        try harness.run("events", day: day)
        try harness.run("executions", day: day)
        try #require(try harness.value("SELECT count(*) FROM executions") == "4")
        return harness
    }

    static func failure(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    @Test func aWipedEventFileFailsExtractAndTheExecutionsStay() throws {
        let harness = try Self.loadedExecutions()
        try harness.rewrite("data/executions.ndjson", "")
        let message = Self.failure { try harness.run("events", day: Self.day) }
        #expect(message.contains("data/executions.ndjson holds no rows"))
        #expect(try harness.value("SELECT count(*) FROM executions") == "4")
    }

    @Test func anEventFileTurnedToGarbageFailsPastTheThresholdAndKeepsItsQuarantine() throws {
        let harness = try Self.loadedExecutions()
        try harness.rewrite("data/executions.ndjson", "garbage\n\u{1}\u{2}\nnot json either\n")
        let message = Self.failure { try harness.run("events", day: Self.day) }
        #expect(message.contains("quarantined 3 of 3 rows of data/executions.ndjson"))
        #expect(message.contains("quarantine_threshold"))
        let kept = harness.workdir.appendingPathComponent(
            "quarantine/\(harness.pipelineName)/\(Self.day)/events.ndjson.gz")
        #expect(FileManager.default.fileExists(atPath: kept.path))
        #expect(try harness.value("SELECT count(*) FROM executions") == "4")
    }

    @Test func validEventsWithOnlyBadFieldsFailNormalizeAndTheExecutionsStay() throws {
        let harness = try Self.loadedExecutions()
        let bad = (1...4).map { Self.execution($0, size: "lots") }.joined(separator: "\n")
        try harness.rewrite("data/executions.ndjson", bad)
        try harness.run("events", day: Self.day)
        let message = Self.failure { try harness.run("executions", day: Self.day) }
        #expect(message.contains("quarantined 4 of 4 rows"))
        #expect(try harness.value("SELECT count(*) FROM executions WHERE filled_size = 1") == "4")
    }

    @Test func aReloadRemovingMostExecutionsIsRefusedUnlessForcedOrAllowed() throws {
        let harness = try Self.loadedExecutions()
        try harness.rewrite("data/executions.ndjson", Self.execution(1))
        try harness.run("events", day: Self.day)
        let message = Self.failure { try harness.run("executions", day: Self.day) }
        #expect(message.contains("would remove 3 of the 4 executions rows"))
        #expect(message.contains("--select executions --force"))
        #expect(message.contains("allow_shrink: true"))
        #expect(try harness.value("SELECT count(*) FROM executions") == "4")

        // Half of them may go by default.
        try harness.rewrite("data/executions.ndjson", [Self.execution(1), Self.execution(2)].joined(separator: "\n"))
        try harness.run("events", day: Self.day)
        try harness.run("executions", day: Self.day)
        #expect(try harness.value("SELECT count(*) FROM executions") == "2")

        // Every row moved to another day: refused, then let through by --force.
        try harness.rewrite("data/executions.ndjson", Self.execution(1, day: "2026-12-01"))
        try harness.run("events", day: Self.day)
        #expect(Self.failure { try harness.run("executions", day: Self.day) }.contains("would remove 2 of the 2"))
        #expect(try harness.value("SELECT count(*) FROM executions") == "2")
        try harness.run("executions", day: Self.day, options: StageOptions(force: true))
        #expect(try harness.value("SELECT count(*) FROM executions") == "0")
    }

    @Test func allowShrinkLetsAReloadRemoveRows() throws {
        let pipeline = Self.executionsPipeline + "\n      allow_shrink: true\n"
        let harness = try Self.loadedExecutions(pipeline: pipeline)
        try harness.rewrite("data/executions.ndjson", Self.execution(1, day: "2026-12-01"))
        try harness.run("events", day: Self.day)
        let load = try harness.run("executions", day: Self.day)
        #expect(load.outcome.counts == RowCounts(rowsIn: 1, rowsOut: 0, excluded: 1))
        #expect(try harness.value("SELECT count(*) FROM executions") == "0")
    }

    // MARK: - Address book

    static let bookPipeline = """
        stages:
          - id: book
            uses: load/address-book
            with:
              file: data/book.csv
        """

    static let book = """
        entity_id,name,kind,owner_entity_id,chain_id,address,role
        acme,Acme Corp,company,,1,0x\(String(repeating: "11", count: 20)),treasury
        beta,Beta,company,,1,0x\(String(repeating: "22", count: 20)),treasury
        gamma,Gamma,company,,1,0x\(String(repeating: "33", count: 20)),treasury
        """

    static func loadedBook() throws -> StageHarness {
        let harness = try StageHarness(Self.bookPipeline, files: ["data/book.csv": book])
        try harness.run("book", day: day)
        try #require(try harness.value("SELECT count(*) FROM entities") == "3")
        return harness
    }

    @Test func anAddressBookOfOnlyBadRowsFailsAndItsRowsStay() throws {
        let harness = try Self.loadedBook()
        try harness.rewrite(
            "data/book.csv",
            "entity_id,name,kind,owner_entity_id,chain_id,address,role\n,x,y,,1,nope,r\n,x,y,,1,nope,r\n")
        let message = Self.failure { try harness.run("book", day: Self.day) }
        #expect(message.contains("quarantined 2 of 2 rows of data/book.csv"))
        #expect(try harness.value("SELECT count(*) FROM entities") == "3")
        #expect(try harness.value("SELECT count(*) FROM entity_addresses") == "3")
    }

    @Test func anEmptyOrShrunkAddressBookIsRefusedAndItsRowsStay() throws {
        let harness = try Self.loadedBook()
        try harness.rewrite("data/book.csv", "")
        #expect(Self.failure { try harness.run("book", day: Self.day) }.contains("data/book.csv"))
        try harness.rewrite("data/book.csv", "entity_id,name,kind,owner_entity_id,chain_id,address,role\n")
        #expect(Self.failure { try harness.run("book", day: Self.day) }.contains("holds no rows"))
        try harness.rewrite("data/book.csv", Self.book.split(separator: "\n").prefix(2).joined(separator: "\n"))
        let message = Self.failure { try harness.run("book", day: Self.day) }
        #expect(message.contains("would remove 4 of the 6 entity and address rows"))
        #expect(try harness.value("SELECT count(*) FROM entities") == "3")
        try harness.run("book", day: Self.day, options: StageOptions(force: true))
        #expect(try harness.value("SELECT count(*) FROM entities") == "1")
    }

    // MARK: - Prices

    static let pricesPipeline = """
        chains:
          ethereum:
            chain_id: 1
            explorer: etherscan
            base_url: http://127.0.0.1:9/v2/api
            rate_limit: { per_second: 5 }
            confirmations: 12
        stages:
          - id: prices
            uses: load/prices
            with:
              file: data/prices.csv
        """

    static let prices = """
        chain_id,token_address,day,usd
        1,\(token),2026-11-30,1.5
        1,0x\(String(repeating: "cd", count: 20)),2026-11-30,2
        """

    static func loadedPrices() throws -> StageHarness {
        let harness = try StageHarness(Self.pricesPipeline, files: ["data/prices.csv": prices])
        try harness.connection.execute(.init("DELETE FROM token_prices"))
        try harness.run("prices", day: day)
        try #require(try harness.value("SELECT count(*) FROM token_prices") == "2")
        return harness
    }

    @Test func aPriceFileOfOnlyBadRowsFailsAndThePricesStay() throws {
        let harness = try Self.loadedPrices()
        try harness.rewrite("data/prices.csv", "chain_id,token_address,day,usd\nx,y,2026-11-30,z\nx,y,2026-11-30,z\n")
        let message = Self.failure { try harness.run("prices", day: Self.day) }
        #expect(message.contains("quarantined 2 of 2 rows of data/prices.csv"))
        #expect(try harness.value("SELECT count(*) FROM token_prices") == "2")
    }

    @Test func anEmptyOrShrunkPriceFileIsRefusedAndThePricesStay() throws {
        let harness = try Self.loadedPrices()
        try harness.rewrite("data/prices.csv", "")
        #expect(Self.failure { try harness.run("prices", day: Self.day) }.contains("data/prices.csv"))
        try harness.rewrite("data/prices.csv", "chain_id,token_address,day,usd\n")
        #expect(Self.failure { try harness.run("prices", day: Self.day) }.contains("holds no rows"))
        try harness.rewrite("data/prices.csv", "chain_id,token_address,day,usd\n1,\(Self.token),2026-12-01,1\n")
        let message = Self.failure { try harness.run("prices", day: Self.day) }
        #expect(message.contains("would remove 2 of the 2 prices of the day"))
        #expect(try harness.value("SELECT count(*) FROM token_prices") == "2")
    }
}
