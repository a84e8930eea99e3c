import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import ChainETLSimulator
import Foundation
import Logging
import Testing

@testable import ChainETLStages

/// `PostgresRateBudget` (`etl_rate_budget`) against the real test database, and several runners
/// on one key, each with its own budget connection, against the simulator's per-second limit.
@Suite("Key budget: one per-second budget per API key in Postgres, shared by runners")
struct KeyRateBudgetTests {
    typealias Schema = ExtractQuotaStoreTests.QuotaSchema

    @Test func twoClientsGetDisjointSlotsAtLeastOneIntervalApartKeyedByFingerprint() throws {
        let schema = try Schema()
        let clients = [schema.budget(), schema.budget()]
        let secret = "budget-secret-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fingerprint = APIKeyFingerprint(apiKey: secret).value
        let interval = 0.2
        var slots: [TimeInterval] = []
        for round in 0..<8 {
            let lease = try clients[round % 2].lease(
                fingerprint: fingerprint, count: 1 + round % 3, interval: interval, lead: 0.01)
            #expect(lease.count == 1 + round % 3 && lease.interval == interval)
            // Never before the database's clock at the lease.
            #expect(lease.firstSlot >= lease.budgetNow - 1)
            slots += (0..<lease.count).map { lease.slot($0) }
        }
        for (earlier, later) in zip(slots, slots.dropFirst()) {
            #expect(later - earlier >= interval - 1e-6, "\(slots)")
        }
        let rows = try schema.admin.execute(
            SQLQuery(unsafeSQL: "SELECT key_fingerprint || ' ' || next_slot_us FROM etl_rate_budget"))
        #expect(rows.count == 1)
        let text = try #require(rows.value(row: 0, column: 0))
        #expect(text.hasPrefix(fingerprint + " ") && !text.contains(secret))
    }

    @Test func anUnusedTailGoesBackOnlyWhileNoOneLeasedAfterIt() throws {
        let schema = try Schema()
        let (first, second) = (schema.budget(), schema.budget())
        // Ten seconds ahead, so the released slots are still in the future for the next lease.
        let lease = try first.lease(fingerprint: "key-r", count: 4, interval: 0.25, lead: 10)
        #expect(try first.release(fingerprint: "key-r", lease: lease, firstUnused: 1))
        let next = try second.lease(fingerprint: "key-r", count: 2, interval: 0.25, lead: 0)
        #expect(abs(next.firstSlot - lease.slot(1)) < 1e-6)
        // The tail is no longer the key's last: a second release changes nothing.
        #expect(try !first.release(fingerprint: "key-r", lease: lease, firstUnused: 2))
        let after = try second.lease(fingerprint: "key-r", count: 1, interval: 0.25, lead: 0)
        #expect(abs(after.firstSlot - next.end) < 1e-6)
    }

    /// Three runners (a registry, bucket, in-flight gate and budget connection each, as three
    /// processes have) on one key against a simulator that allows 5 calls/s and answers in
    /// 120 ± 40 ms: no answer is throttled and no sliding second of the simulator's arrivals holds
    /// more than 5 calls. The rate achieved is printed, not asserted (it depends on the machine's
    /// load); `make scale-test` measures it.
    @Test func threeRunnersOnOneKeyStayWithinItsLimitInEverySlidingSecond() throws {
        let schema = try Schema()
        let limit = 5
        let key = "budget-key-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let quiet = Logger(label: "chainetl.tests.budget") { _ in SwiftLogNoOpLogHandler() }
        let server = try SimulatorServer(
            configuration: SimulatorConfiguration(
                generator: GeneratorConfiguration(seed: 7), apiKey: key, ratePerSecond: limit,
                latencyMilliseconds: 120, latencyJitterMilliseconds: 40),
            logger: quiet)
        try server.start()
        defer { server.stop() }
        let endpoint = ExplorerEndpoint(
            baseURL: try #require(URL(string: "\(server.baseURL)/v2/api")), chainID: 1, apiKey: key,
            sendsChainID: true)
        let fingerprint = endpoint.keyFingerprint
        let runners = (0..<3).map { _ -> RateLimiterRegistry in
            let registry = RateLimiterRegistry()
            registry.shareBudget(schema.budget())
            return registry
        }
        let threadsPerRunner = 3
        let callsPerThread = 5
        let group = DispatchGroup()
        let failures = LockedValue<[String]>([])
        for registry in runners {
            let bucket = registry.bucket(for: fingerprint, ratePerSecond: Double(limit))
            let inFlight = registry.inFlightLimit(for: fingerprint, ratePerSecond: Double(limit), cap: threadsPerRunner)
            let extractor = TransferExtractor(
                source: .etherscanLogs, endpoint: endpoint, transport: URLSessionTransport(), limiter: bucket,
                logger: quiet, inFlight: inFlight)
            for _ in 0..<threadsPerRunner {
                group.enter()
                Thread.detachNewThread {
                    for _ in 0..<callsPerThread {
                        do {
                            _ = try extractor.headBlockNumber()
                        } catch {
                            failures.mutate { $0.append("\(error)") }
                        }
                    }
                    group.leave()
                }
            }
        }
        group.wait()
        #expect(failures.value.isEmpty, "\(failures.value)")
        let calls = runners.count * threadsPerRunner * callsPerThread
        let stats = server.stats
        #expect(stats.requests == calls)
        // The slots are spaced exactly (the lease test above); what the simulator sees also carries
        // this host's scheduling delays, which on a loaded machine can bunch a late call up with the
        // next one. So the arrivals get a margin that three runners pacing alone (3× the limit)
        // could never meet; the exact figures are printed below.
        #expect(stats.throttled * 20 <= calls, "\(stats.json)")
        #expect(stats.peakRequestsPerSecond <= limit + 1, "\(stats.json)")
        let usage = runners.compactMap { $0.sharedBudgetUsage()[fingerprint] }
        #expect(usage.count == 3)
        #expect(usage.map(\.slotsUsed).reduce(0, +) == calls)
        #expect(usage.allSatisfy { $0.unsharedCalls == 0 })
        let leases = usage.map { $0.leases + $0.releases }.reduce(0, +)
        print(
            "key budget, 3 runners × \(threadsPerRunner) threads on one \(limit)/s key: \(calls) calls, "
                + "\(stats.throttled) throttled, peak \(stats.peakRequestsPerSecond) in a sliding second, "
                + String(
                    format: "%.2f of the limit over the simulator's span, %.2f round trips per call, %d slots expired",
                    Double(calls) / max(stats.requestSpanSeconds, 0.001) / Double(limit),
                    Double(leases) / Double(calls), usage.map(\.slotsExpired).reduce(0, +)))
    }
}

extension ExtractQuotaStoreTests.QuotaSchema {
    /// A rate budget on its own connection into the schema (as each runner process has).
    func budget() -> PostgresRateBudget {
        let url = url
        let schema = name
        return PostgresRateBudget {
            let connection = try PostgresConnection.connect(
                url: url, applicationName: "rate-budget-test", logger: Self.logger)
            try connection.execute(SQLQuery(unsafeSQL: "SET search_path TO \(SQLIdentifier.quote(schema))"))
            return connection
        }
    }
}
