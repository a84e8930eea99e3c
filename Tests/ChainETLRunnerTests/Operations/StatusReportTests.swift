import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("Status against the real database")
struct StatusReportTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 (UTC), fixed so windows are exact
    var today: PartitionDay { PartitionDay(containing: now) }

    func collect(
        _ database: OperationsDatabase, scope: StatusRequest.Scope, heads: (any ChainHeadSource)? = nil,
        threshold: Double? = nil, offline: Bool = false, environment: [String: String] = [:]
    ) throws -> StatusReport {
        try StatusReport.collect(
            StatusRequest(scope: scope, lagThresholdSeconds: threshold, offline: offline, now: now),
            connection: database.connection, heads: heads, environment: environment,
            logger: OperationsDatabase.quietLogger)
    }

    @Test("a fresh database: nothing loaded, every partition missing, lag unknown fails the monitor")
    func fresh() throws {
        let database = try OperationsDatabase()
        let spec = OperationsFixtures.pipeline()
        let heads = ScriptedHeads(heads: [1: 1000, 25: 500])

        let report = try collect(database, scope: .pipeline(spec), heads: heads)
        #expect(report.chains.map(\.chainID) == [1, 25])
        #expect(report.chains.allSatisfy { $0.lastLoadedBlock == nil && $0.lagSeconds == nil })
        #expect(report.chains.allSatisfy { $0.lastSuccess == nil && $0.lastFailure == nil })
        #expect(report.chains[0].head?.block == 1000 && report.chains[0].head?.source == .explorer)
        let pipeline = try #require(report.pipelines.first)
        #expect(pipeline.done.isEmpty && pipeline.failed.isEmpty && pipeline.missing.count == 30)
        #expect(pipeline.lastDay == today.advanced(by: -1) && pipeline.firstDay == today.advanced(by: -30))
        #expect(report.exitCode == 0)
        #expect(report.text.contains("last success: none recorded"))

        let monitored = try collect(database, scope: .pipeline(spec), heads: heads, threshold: 3600)
        #expect(monitored.exitCode == StatusReport.lagExceededExitCode)
        #expect(monitored.lagViolations.contains("ethereum (1): lag unknown (no transfers loaded)"))

        // Without a pipeline file the chains come from the heads the probes above recorded.
        let everything = try collect(database, scope: .all, threshold: 60)
        #expect(everything.chains.map(\.chainID) == [1, 25])
        #expect(everything.chains.allSatisfy { $0.head?.source == .lastKnown && $0.lastLoadedBlock == nil })
        #expect(everything.pipelines.isEmpty)
        #expect(everything.exitCode == 4)
        #expect(everything.text.contains("no pipeline has run yet"))
    }

    @Test("a lagging chain exceeds --fail-if-lag; within the threshold it passes; heads are recorded")
    func lagging() throws {
        let database = try OperationsDatabase()
        let spec = OperationsFixtures.pipeline()
        let loadedAt = now.addingTimeInterval(-2 * 86_400)  // two days behind
        try database.insertTransfer(chainID: 1, block: 900, time: loadedAt.addingTimeInterval(-60), index: 0)
        try database.insertTransfer(chainID: 1, block: 950, time: loadedAt, index: 1)
        try database.insertTransfer(chainID: 25, block: 499, time: now.addingTimeInterval(-30))
        let heads = ScriptedHeads(heads: [1: 1000, 25: 500])

        let report = try collect(database, scope: .pipeline(spec), heads: heads, threshold: 3600)
        let ethereum = try #require(report.chains.first { $0.chainID == 1 })
        #expect(ethereum.lastLoadedBlock == 950)
        #expect(ethereum.lagBlocks == 50)
        #expect(ethereum.lagSeconds == 172_800.0)
        #expect(report.chains.first { $0.chainID == 25 }?.lagSeconds == 30.0)
        #expect(report.lagViolations == ["ethereum (1): lag 172800 s exceeds 3600 s"])
        #expect(report.exitCode == 4)
        // The violations go to stderr (StatusCommand); stdout only says where to look.
        #expect(!report.text.contains("LAG EXCEEDED"))
        #expect(report.text.contains("exit 4: lag above --fail-if-lag 3600 (see stderr)"))

        let relaxed = try collect(database, scope: .pipeline(spec), heads: heads, threshold: 3 * 86_400)
        #expect(relaxed.exitCode == 0 && relaxed.lagViolations.isEmpty)

        // The explorer's answer was kept: offline now reports it as last-known, and says so.
        let offline = try collect(database, scope: .pipeline(spec), heads: heads, threshold: 3600, offline: true)
        let head = try #require(offline.chains.first { $0.chainID == 1 }?.head)
        #expect(head.block == 1000 && head.source == .lastKnown)
        #expect(offline.chains[0].headNote?.hasPrefix("offline; last known head") == true)
        #expect(offline.exitCode == 4)
        #expect(offline.text.contains("LAST KNOWN head"))
    }

    @Test("an unreachable explorer falls back to the last known head and says so")
    func unreachableExplorer() throws {
        let database = try OperationsDatabase()
        try database.insertTransfer(chainID: 1, block: 100, time: now.addingTimeInterval(-600))
        try ChainHeadStore.record(
            chainID: 1, headBlock: 130, time: now.addingTimeInterval(-300), observedAt: now.addingTimeInterval(-300),
            observedBy: "test", connection: database.connection)
        // A real explorer client against a closed port: the refusal is the fallback's trigger.
        let heads = ExplorerChainHeadSource(
            environment: ["ETHEREUM_KEY": "do-not-print-me"], quotaConnection: database.connection,
            logger: OperationsDatabase.quietLogger)
        let report = try collect(
            database, scope: .pipeline(OperationsFixtures.pipeline()), heads: heads, threshold: 3600)
        let ethereum = try #require(report.chains.first { $0.chainID == 1 })
        #expect(ethereum.head?.source == .lastKnown && ethereum.head?.block == 130)
        #expect(ethereum.lagSeconds == 300.0 && ethereum.lagBlocks == 30)
        #expect(ethereum.headNote?.contains("explorer unreachable") == true)
        #expect(ethereum.headNote?.contains("using the last known head") == true)
        // cronos never had a head: its lag is unknown, which a monitor must see.
        #expect(report.lagViolations == ["cronos (25): lag unknown (no transfers loaded)"])
        let json = try report.jsonText()
        #expect(!report.text.contains("do-not-print-me") && !json.contains("do-not-print-me"))
    }

    @Test("failed partitions, the last failure with its error, and a rerun that fixes it")
    func failed() throws {
        let database = try OperationsDatabase()
        let spec = OperationsFixtures.pipeline()
        let day1 = today.advanced(by: -2).description
        let day2 = today.advanced(by: -1).description
        let early = now.addingTimeInterval(-7200)
        for stage in ["extract-eth", "extract-cro", "aggregate"] {
            try database.insertStageRun(
                run: "r1", pipeline: "nightly", partition: day1, stage: stage, status: "succeeded", at: early)
        }
        try database.insertStageRun(
            run: "r2", pipeline: "nightly", partition: day2, stage: "extract-eth", status: "failed", at: early,
            error: "explorer said: rate limit")
        try database.insertStageRun(
            run: "r2", pipeline: "nightly", partition: day2, stage: "extract-cro", status: "skipped", at: early)
        try database.insertStageRun(
            run: "r2", pipeline: "nightly", partition: day2, stage: "aggregate", status: "blocked", at: early)
        try database.insertStageRun(
            run: "other", pipeline: "other", partition: day2, stage: "extract-eth", status: "failed", at: now,
            error: "not ours")

        let report = try collect(database, scope: .pipeline(spec), heads: nil)
        let pipeline = try #require(report.pipelines.first)
        #expect(pipeline.done == [PartitionDay(day1)!])
        #expect(pipeline.failed == [PartitionDay(day2)!])
        #expect(pipeline.missing.count == 28)
        let ethereum = try #require(report.chains.first { $0.chainID == 1 })
        #expect(ethereum.lastFailure?.stage == "extract-eth")
        #expect(ethereum.lastFailure?.error == "explorer said: rate limit")
        #expect(ethereum.lastFailure?.runID == "r2")
        // cronos's own stages never failed; the blocked aggregate is not a failure.
        #expect(report.chains.first { $0.chainID == 25 }?.lastFailure == nil)
        #expect(report.text.contains("nightly failed: \(day2)"))
        #expect(
            report.chains.allSatisfy {
                $0.head == nil && $0.headNote == "explorer not asked; no head was ever recorded"
            })

        // `--select failed` reruns the failed and blocked stages: the partition is done again.
        let later = now.addingTimeInterval(-60)
        try database.insertStageRun(
            run: "r3", pipeline: "nightly", partition: day2, stage: "extract-eth", status: "succeeded", at: later)
        try database.insertStageRun(
            run: "r3", pipeline: "nightly", partition: day2, stage: "aggregate", status: "succeeded", at: later)
        let fixed = try collect(database, scope: .named("nightly"), heads: nil)
        #expect(fixed.pipelines.first?.done.count == 2)
        #expect(fixed.pipelines.first?.failed.isEmpty == true)
        #expect(fixed.pipelines.first?.stages.sorted() == ["aggregate", "extract-cro", "extract-eth"])

        // A misspelled name is a usage error with a suggestion, not "0 done, N missing".
        #expect {
            try collect(database, scope: .named("nigthly"), heads: nil)
        } throws: { error in
            guard case .usage(let message) = error as? OperationsError else { return false }
            return message.contains("no pipeline named 'nigthly'") && message.contains("did you mean 'nightly'?")
        }
    }

    @Test("a failure is listed for the chain its stage concerns, and not once a later run succeeded")
    func failureAttribution() throws {
        let database = try OperationsDatabase()
        let spec = OperationsFixtures.pipeline()
        let day1 = today.advanced(by: -2).description
        let day2 = today.advanced(by: -1).description
        let early = now.addingTimeInterval(-7200)
        // ethereum's extract failed on day 1, then a rerun fixed it.
        try database.insertStageRun(
            run: "r1", pipeline: "nightly", partition: day1, stage: "extract-eth", status: "failed", at: early,
            error: "explorer said: rate limit")
        try database.insertStageRun(
            run: "r2", pipeline: "nightly", partition: day1, stage: "extract-eth", status: "succeeded",
            at: early.addingTimeInterval(60))
        // The aggregate serves both chains: a failure naming cronos is cronos's only…
        try database.insertStageRun(
            run: "r3", pipeline: "nightly", partition: day2, stage: "aggregate", status: "failed",
            at: early.addingTimeInterval(120), error: "chain cronos: no prices for its tokens")
        var report = try collect(database, scope: .pipeline(spec))
        #expect(report.chains.first { $0.chainID == 25 }?.lastFailure?.runID == "r3")
        #expect(report.chains.first { $0.chainID == 1 }?.lastFailure == nil)
        #expect(report.chains.first { $0.chainID == 1 }?.lastSuccess?.runID == "r2")
        #expect(report.chains.first { $0.chainID == 25 }?.lastSuccess == nil)
        #expect(report.pipelines.first?.failed == [PartitionDay(day2)!])

        // … one naming no chain concerns both.
        try database.insertStageRun(
            run: "r4", pipeline: "nightly", partition: day2, stage: "aggregate", status: "failed",
            at: early.addingTimeInterval(180), error: "could not write: disk full")
        report = try collect(database, scope: .pipeline(spec))
        #expect(report.chains.map { $0.lastFailure?.runID } == ["r4", "r4"])

        // In a one-chain pipeline, a stage that names no chain is the chain's.
        var single = spec
        single.chains = spec.chains.filter { $0.name == "ethereum" }
        single.stages = spec.stages.filter { $0.id != "extract-cro" }
        report = try collect(database, scope: .pipeline(single))
        #expect(report.chains.count == 1)
        #expect(report.chains.first?.lastFailure?.runID == "r4")

        // Once the aggregate succeeds for that day, no failure is listed.
        try database.insertStageRun(
            run: "r5", pipeline: "nightly", partition: day2, stage: "aggregate", status: "succeeded",
            at: early.addingTimeInterval(240))
        report = try collect(database, scope: .pipeline(single))
        #expect(report.chains.first?.lastFailure == nil)
        #expect(report.chains.first?.lastSuccess?.runID == "r5")
        #expect(report.text.contains("last failure: none recorded"))
    }

    @Test("quota used today and remaining, by key fingerprint, never the key")
    func quota() throws {
        let database = try OperationsDatabase()
        let secret = "sk-live-9f8e7d6c5b4a"
        let fingerprint = APIKeyFingerprint(apiKey: secret).value
        try database.connection.execute(
            SQLQuery(
                "INSERT INTO etl_api_quota (key_fingerprint, day, calls) VALUES ($1, $2::date, 40), ($1, $3::date, 99)",
                [fingerprint, today.description, today.advanced(by: -1).description]))
        let report = try collect(
            database, scope: .pipeline(OperationsFixtures.pipeline()), heads: nil,
            environment: ["ETHEREUM_KEY": secret])
        let key = try #require(report.apiKeys.first { $0.fingerprint == fingerprint })
        #expect(key.used == 40 && key.limit == 100 && key.remaining == 60)
        #expect(key.chains == ["ethereum"])
        #expect(report.chains.first?.keyFingerprint == fingerprint)
        // cronos has no key in the environment: it shares the keyless counter, with no limit.
        #expect(report.apiKeys.first { $0.fingerprint == "keyless" }?.used == 0)
        let json = try report.jsonText()
        #expect(json.contains("\"remaining\" : 60"))
        #expect(!json.contains(secret) && !report.text.contains(secret))
        #expect(report.text.contains("40/100"))
    }
}
