import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// `PostgresQuotaStore` against the real test database, in a private schema holding the ledger.
@Suite("Extract: the daily API quota in Postgres")
struct ExtractQuotaStoreTests {
    /// A private schema with the migrations applied; stores connect into it.
    final class QuotaSchema {
        let name = "q_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin: PostgresConnection
        let url: String
        static let logger = Logger(label: "chainetl.tests.quota") { _ in SwiftLogNoOpLogHandler() }

        init() throws {
            url = try #require(
                ProcessInfo.processInfo.environment["DATABASE_URL"],
                "DATABASE_URL is not set: run the tests through .ci/with-postgres or make test")
            admin = try PostgresConnection.connect(url: url, applicationName: "quota-test-admin", logger: Self.logger)
            try admin.execute(SQLQuery(unsafeSQL: "CREATE SCHEMA \(SQLIdentifier.quote(name))"))
            try admin.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(name))"))
            let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("schemas")
            _ = try Migrator(directory: schemas).migrate(admin)
        }

        deinit {
            _ = try? admin.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(name)) CASCADE"))
            admin.close()
        }

        /// A store on its own connection into the schema, named `applicationName`.
        func store(applicationName: String = "quota-test") -> PostgresQuotaStore {
            let url = url
            let schema = name
            return PostgresQuotaStore {
                let connection = try PostgresConnection.connect(
                    url: url, applicationName: applicationName, logger: Self.logger)
                try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(schema))"))
                return connection
            }
        }
    }

    static let day = PartitionDay("2026-11-20")!

    @Test func twoStoresShareOneCounterPerKeyAndDay() throws {
        let schema = try QuotaSchema()
        let first = schema.store()
        let second = schema.store()
        #expect(try first.consume(fingerprint: "key-a", day: Self.day, calls: 1).used == 1)
        #expect(try second.consume(fingerprint: "key-a", day: Self.day, calls: 1).used == 2)
        #expect(try first.consume(fingerprint: "key-a", day: Self.day, calls: 3).used == 5)
        #expect(try second.consume(fingerprint: "key-b", day: Self.day, calls: 1).used == 1)
        #expect(try second.consume(fingerprint: "key-a", day: Self.day.advanced(by: 1), calls: 1).used == 1)
        #expect(try second.used(fingerprint: "key-a", day: Self.day) == 5)
        #expect(try first.used(fingerprint: "key-c", day: Self.day) == 0)
        let stored = try schema.admin.execute(
            SQLQuery(
                "SELECT calls FROM etl_api_quota WHERE key_fingerprint = $1 AND day = $2::date",
                ["key-a", "2026-11-20"]))
        #expect(try stored.int(row: 0, column: 0) == 5)
    }

    @Test func concurrentWorkersCountEveryCallExactlyOnce() throws {
        let schema = try QuotaSchema()
        let store = schema.store()
        let group = DispatchGroup()
        let failures = LockedValue(0)
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                for _ in 0..<50 where (try? store.consume(fingerprint: "key-x", day: Self.day, calls: 1)) == nil {
                    failures.mutate { $0 += 1 }
                }
                group.leave()
            }
        }
        group.wait()
        #expect(failures.value == 0)
        #expect(try store.used(fingerprint: "key-x", day: Self.day) == 200)
    }

    @Test func aGateOverTheStoreRefusesOnceTheDayIsSpentAcrossRuns() throws {
        let schema = try QuotaSchema()
        let now = Date(timeIntervalSince1970: TimeInterval(Self.day.startUnixSeconds + 3_600))
        let fingerprint = APIKeyFingerprint(apiKey: "some key")
        let firstRun = DailyQuotaGate(
            store: schema.store(), fingerprint: fingerprint, dailyLimit: 3, currentDate: { now })
        for _ in 0..<3 { try firstRun.consumeOne() }
        #expect(throws: ExplorerError.self) { try firstRun.consumeOne() }
        // A later run (a new store and gate) sees the same spent quota.
        let secondRun = DailyQuotaGate(
            store: schema.store(), fingerprint: fingerprint, dailyLimit: 3, currentDate: { now })
        let error = #expect(throws: ExplorerError.self) { try secondRun.consumeOne() }
        #expect(try #require(error).description.contains("daily api quota exhausted for key \(fingerprint.value)"))
    }

    @Test func aLostConnectionIsReopenedAndTheCountGoesOn() throws {
        let schema = try QuotaSchema()
        let applicationName = "quota-test-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let store = schema.store(applicationName: applicationName)
        #expect(try store.consume(fingerprint: "key-r", day: Self.day, calls: 2).used == 2)
        let terminated = try schema.admin.execute(
            SQLQuery(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                [applicationName]))
        #expect(try terminated.int(row: 0, column: 0) == 1)
        #expect(try store.consume(fingerprint: "key-r", day: Self.day, calls: 1).used == 3)
    }
}
