import ChainETLCore
import Testing

@testable import ChainETLRunner

@Suite("SkipDecision")
struct SkipDecisionTests {
    let manifest = CheckpointManifest(
        pipeline: "demo", partition: PartitionDay("2026-11-20")!, stageID: "copy", kind: "test/copy",
        configHash: "config-1", inputs: ["emit": "hash-1"], recordSchema: "test-row/1",
        counts: RowCounts(rowsIn: 1, rowsOut: 1), parts: [], sideFiles: [], details: [:],
        startedAt: "2026-11-21T00:00:00Z", finishedAt: "2026-11-21T00:00:01Z", durationMs: 1000)

    func decide(
        forced: Bool = false, selected: Bool = false, existing: Result<CheckpointManifest, any Error>?,
        configHash: String = "config-1", inputs: [String: String] = ["emit": "hash-1"], upToDate: Bool = true
    ) -> SkipDecision {
        SkipDecision.decide(
            forced: forced, selected: selected, existing: existing, configHash: configHash, inputs: inputs,
            isUpToDate: { _ in upToDate })
    }

    @Test func skipsWhenConfigAndInputsMatch() {
        #expect(
            decide(existing: .success(manifest))
                == SkipDecision(runs: false, reason: "checkpoint matches config and inputs"))
    }

    @Test func forceAndSelectionAlwaysRun() {
        #expect(decide(forced: true, existing: .success(manifest)).reason == "forced (--force)")
        #expect(decide(selected: true, existing: .success(manifest)).reason == "selected (--select)")
    }

    @Test func runsWithoutACheckpoint() {
        #expect(decide(existing: nil) == SkipDecision(runs: true, reason: "no checkpoint yet"))
    }

    @Test func runsWhenTheConfigChanged() {
        #expect(decide(existing: .success(manifest), configHash: "config-2").reason == "config changed")
    }

    @Test func namesTheConfigKeysThatChanged() {
        let before = ["uses": "u", "with.rows": "1", "with.label": "x", "chains.eth.tokens": "t"]
        let now = ["uses": "u", "with.rows": "2", "chains.eth.tokens": "t2"]
        #expect(
            SkipDecision.configChangedReason(before: before, now: now)
                == "config changed: chains.eth.tokens, with.label, with.rows")
        // A manifest written before the parts were kept cannot say which keys changed.
        #expect(SkipDecision.configChangedReason(before: nil, now: now) == "config changed")
    }

    @Test func namesTheInputsThatChanged() {
        let decision = decide(existing: .success(manifest), inputs: ["emit": "hash-2", "extra": "x"])
        #expect(decision == SkipDecision(runs: true, reason: "inputs changed: emit, extra"))
    }

    @Test func runsWhenTheEffectIsNotInPlace() {
        #expect(
            decide(existing: .success(manifest), upToDate: false).reason == "checkpoint not applied to the database")
    }

    @Test func runsWhenTheExistingCheckpointIsUnusable() {
        struct Broken: Error, CustomStringConvertible { var description: String { "manifest is missing" } }
        let decision = decide(existing: .failure(Broken()))
        #expect(decision.runs)
        #expect(decision.reason.contains("manifest is missing"))
    }
}
