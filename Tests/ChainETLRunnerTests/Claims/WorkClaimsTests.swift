import ChainETLCore
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

/// `etl_claims` against a real PostgreSQL: SKIP LOCKED hands concurrent runners different
/// partitions, a lease without heartbeat is taken over, done is final, failed is retried a bounded
/// number of times, a released claim is pending again.
@Suite("Work claims (etl_claims, PostgreSQL)")
struct WorkClaimsTests {
    static let from = PartitionDay("2026-11-01")!
    static let to = PartitionDay("2026-11-03")!

    func migrated() throws -> (ScratchDatabase, PostgresConnection) {
        let database = try ScratchDatabase()
        let connection = try database.connect()
        _ = try MigrationSource.migrator(environment: [:]).migrate(connection)
        return (database, connection)
    }

    func holder(_ pid: Int) -> WorkClaims.Holder {
        WorkClaims.Holder(host: "host-\(pid)", pid: pid, token: UUID().uuidString)
    }

    func claim(
        _ connection: PostgresConnection, _ holder: WorkClaims.Holder, lease: Double = 60, maxAttempts: Int = 3
    ) throws -> WorkClaims.Claim? {
        try WorkClaims.claimNext(
            connection, pipeline: "p", work: "", from: Self.from, to: Self.to, holder: holder, leaseSeconds: lease,
            maxAttempts: maxAttempts)
    }

    @Test func concurrentRunnersClaimDifferentPartitionsAndDoneIsFinal() throws {
        let (database, first) = try migrated()
        defer { first.close() }
        let second = try database.connect()
        defer { second.close() }
        #expect(try WorkClaims.enqueue(first, pipeline: "p", work: "", from: Self.from, to: Self.to) == 3)
        #expect(try WorkClaims.enqueue(second, pipeline: "p", work: "", from: Self.from, to: Self.to) == 0)

        // The first runner's claim is still uncommitted: the second skips the locked row, never waits.
        let a = holder(1)
        let b = holder(2)
        _ = try second.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '20s'"))
        _ = try first.execute(SQLQuery(unsafeSQL: "BEGIN"))
        let claimA = try #require(try claim(first, a))
        let claimB = try #require(try claim(second, b))
        _ = try first.execute(SQLQuery(unsafeSQL: "COMMIT"))
        #expect(claimA.partition == Self.from)
        #expect(claimB.partition == PartitionDay("2026-11-02"))
        #expect(claimA.tookOverFrom == nil && claimA.attempt == 1)

        try WorkClaims.finish(
            first, pipeline: "p", work: "", partition: claimA.partition, holder: a, outcome: .done(runID: "r1"))
        try WorkClaims.finish(
            second, pipeline: "p", work: "", partition: claimB.partition, holder: b, outcome: .done(runID: "r2"))
        let claimC = try #require(try claim(first, a))
        #expect(claimC.partition == Self.to)
        #expect(try claim(second, b) == nil, "nothing else is claimable while the last partition is held")
        #expect(
            try WorkClaims.remaining(first, pipeline: "p", work: "", from: Self.from, to: Self.to, maxAttempts: 3).open
                == 1)
        try WorkClaims.finish(
            first, pipeline: "p", work: "", partition: claimC.partition, holder: a, outcome: .done(runID: "r3"))
        #expect(try claim(second, b) == nil, "a finished partition is never claimed again")
        let left = try WorkClaims.remaining(
            first, pipeline: "p", work: "", from: Self.from, to: Self.to, maxAttempts: 3)
        #expect(left.open == 0 && left.failedForGood.isEmpty)

        // Another request (forced) has its own queue.
        #expect(try WorkClaims.enqueue(first, pipeline: "p", work: "--force", from: Self.from, to: Self.to) == 3)
        let rows = try WorkClaims.rows(first, pipeline: "p")
        #expect(rows.filter { $0.work == "" }.map(\.runID) == ["r1", "r2", "r3"])
        #expect(rows.filter { $0.work == "" }.allSatisfy { $0.state == "done" && $0.host != nil && $0.pid != nil })
    }

    @Test func anExpiredLeaseIsTakenOverAndTheOldHolderLearnsIt() throws {
        let (database, first) = try migrated()
        defer { first.close() }
        let second = try database.connect()
        defer { second.close() }
        try WorkClaims.enqueue(first, pipeline: "p", work: "", from: Self.from, to: Self.from)
        let dead = holder(10)
        let live = holder(11)
        let claimed = try #require(try claim(first, dead, lease: 0.5))
        #expect(try WorkClaims.heartbeat(first, pipeline: "p", work: "", partition: claimed.partition, holder: dead))
        // The dead holder stops beating; the live one takes over once the lease ran out (a condition, not a time).
        var takeover: WorkClaims.Claim?
        let deadline = Date().addingTimeInterval(60)
        while takeover == nil && Date() < deadline {
            takeover = try claim(second, live, lease: 30)
            if takeover == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let taken = try #require(takeover, "the expired lease was never taken over")
        #expect(taken.partition == claimed.partition)
        #expect(taken.attempt == 2)
        #expect(taken.tookOverFrom == "host-10 pid 10")
        #expect(try !WorkClaims.heartbeat(first, pipeline: "p", work: "", partition: claimed.partition, holder: dead))
        #expect(try WorkClaims.heartbeat(second, pipeline: "p", work: "", partition: claimed.partition, holder: live))
        // A late failure from the old holder does not overwrite the new claim.
        try WorkClaims.finish(
            first, pipeline: "p", work: "", partition: claimed.partition, holder: dead,
            outcome: .failed(runID: nil, error: "late"))
        let row = try #require(try WorkClaims.rows(first, pipeline: "p").first)
        #expect(row.state == "claimed" && row.pid == 11 && row.error == nil && !row.isExpired)
    }

    @Test func failedIsRetriedUpToTheLimitAndReleasedIsPendingAgain() throws {
        let (database, connection) = try migrated()
        defer {
            connection.close()
            withExtendedLifetime(database) {}
        }
        try WorkClaims.enqueue(connection, pipeline: "p", work: "", from: Self.from, to: Self.from)
        let runner = holder(20)
        for attempt in 1...2 {
            let claimed = try #require(try claim(connection, runner, maxAttempts: 2), "attempt \(attempt)")
            #expect(claimed.attempt == attempt)
            try WorkClaims.finish(
                connection, pipeline: "p", work: "", partition: claimed.partition, holder: runner,
                outcome: .failed(runID: "r\(attempt)", error: "stage failed"))
        }
        #expect(try claim(connection, runner, maxAttempts: 2) == nil)
        let left = try WorkClaims.remaining(
            connection, pipeline: "p", work: "", from: Self.from, to: Self.from, maxAttempts: 2)
        #expect(left.open == 0 && left.failedForGood == [Self.from])

        // A third attempt allowed: claimed, released by a stop signal, and pending with the attempt not counted.
        let again = try #require(try claim(connection, runner, maxAttempts: 3))
        #expect(again.attempt == 3)
        try WorkClaims.finish(
            connection, pipeline: "p", work: "", partition: again.partition, holder: runner,
            outcome: .released(runID: "r3"))
        let row = try #require(try WorkClaims.rows(connection, pipeline: "p").first)
        #expect(row.state == "pending" && row.attempts == 2)
    }
}
