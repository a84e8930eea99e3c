import ChainETLCore
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("RunSummary")
struct RunSummaryTests {
    let day1 = PartitionDay("2026-11-20")!
    let day2 = PartitionDay("2026-11-22")!

    func report(_ units: [UnitReport], days: [PartitionDay]) -> RunReport {
        var report = RunReport(
            runID: "20261123T030000Z-ab12", pipeline: "demo", pipelineFile: "/repo/pipelines/demo.yaml", arguments: [],
            startedAt: Date(), partitions: days)
        report.units = units
        return report
    }

    func unit(_ stage: String, _ day: PartitionDay, _ status: UnitStatus, error: String? = nil) -> UnitReport {
        UnitReport(stage: stage, kind: "test/emit", partition: day, status: status, reason: "", error: error)
    }

    @Test func theSummaryCountsEveryOutcome() {
        let report = report(
            [
                unit("a", day1, .succeeded), unit("b", day1, .skipped), unit("c", day1, .failed),
                unit("d", day1, .blocked),
            ],
            days: [day1])
        let line = RunSummary.line(report, reportPath: "work/runs/x.json", elapsed: 41.23)
        #expect(
            line == "run 20261123T030000Z-ab12: 1 stages ok, 1 skipped, 1 failed, 1 blocked, 1 partition, 41.2s; "
                + "report work/runs/x.json")
    }

    @Test func theSummaryCountsWhatRerunsChanged() {
        var first = unit("normalize", day1, .succeeded)
        var diff = UnitDiff(examplesLimit: 5)
        diff.previousCheckpointHash = "h1"
        diff.added = 3
        diff.removed = 1
        diff.changed = 2
        first.diff = diff
        var second = unit("dedupe", day1, .succeeded)
        var unchanged = UnitDiff(examplesLimit: 5)
        unchanged.previousCheckpointHash = "h2"
        second.diff = unchanged
        // A first run replaced no checkpoint: it is not a rerun and adds nothing to the diff.
        var fresh = unit("load", day1, .succeeded)
        fresh.diff = UnitDiff(examplesLimit: 5)
        let line = RunSummary.line(report([first, second, fresh], days: [day1]), reportPath: nil, elapsed: 1)
        #expect(line.hasSuffix(", rerun diff +3 -1 ~2 rows in 1 of 2 stages"))
        #expect(RunSummary.diffText(report([fresh], days: [day1])) == nil)
    }

    @Test func resumeSelectsFailedOverTheFailedDays() {
        let report = report(
            [
                unit("a", day1, .failed, error: "boom"), unit("a", day1.advanced(by: 1), .succeeded),
                unit("a", day2, .failed),
            ],
            days: [day1, day1.advanced(by: 1), day2])
        let request = RunRequest(
            pipelineFile: URL(fileURLWithPath: "pipelines/demo.yaml"), workdir: URL(fileURLWithPath: "work"))
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "pipelines/demo.yaml")
                == "chainetl run pipelines/demo.yaml --from 2026-11-20 --to 2026-11-22 --select failed")
        #expect(RunSummary.failureLines(report).first == "stage a failed for partition 2026-11-20: boom")
    }

    @Test func resumeAfterALockRerunsThePartitionAsIs() {
        let report = report([unit("a", day1, .locked)], days: [day1])
        let request = RunRequest(
            pipelineFile: URL(fileURLWithPath: "p.yaml"), allowOpen: true, workdir: URL(fileURLWithPath: "/tmp/my work")
        )
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --partition 2026-11-20 --allow-open --workdir '/tmp/my work'")
    }

    @Test func resumeAfterALockRepeatsTheUsersSelectionAndFlags() {
        let report = report([unit("a", day1, .locked), unit("a", day2, .locked)], days: [day1, day2])
        let request = RunRequest(
            pipelineFile: URL(fileURLWithPath: "p.yaml"), selections: ["extract-eth+", "load"], force: true,
            jobs: 4, extractJobs: 3, workdir: URL(fileURLWithPath: "work"), refetch: true)
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --from 2026-11-20 --to 2026-11-22 --select extract-eth+ --select load --force "
                + "--refetch --jobs 4 --extract-jobs 3")
        // After a failure the hint selects what failed; the user's selection is in that set already.
        let failed = self.report([unit("a", day1, .failed)], days: [day1])
        #expect(
            RunSummary.resumeCommand(failed, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --partition 2026-11-20 --select failed --refetch --jobs 4 --extract-jobs 3")
    }

    @Test func nothingToResumeWhenAllSucceeded() {
        let report = report([unit("a", day1, .succeeded)], days: [day1])
        let request = RunRequest(pipelineFile: URL(fileURLWithPath: "p.yaml"), workdir: URL(fileURLWithPath: "work"))
        #expect(RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml") == nil)
    }
}
