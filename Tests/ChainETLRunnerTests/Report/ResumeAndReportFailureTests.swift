import ChainETLCore
import Foundation
import Testing

@testable import ChainETLRunner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The resume command for each failure kind, the summary of a stopped run, and a run report that
/// meets a full disk (issue 14, items 2, 4, 5 and 7).
@Suite("resume hints and report failures")
struct ResumeAndReportFailureTests {
    let day = PartitionDay("2026-11-20")!
    let request = RunRequest(pipelineFile: URL(fileURLWithPath: "p.yaml"), workdir: URL(fileURLWithPath: "work"))

    func report(_ units: [UnitReport], status: RunStatus = .failed, exitCode: Int32 = 1) -> RunReport {
        var report = RunReport(
            runID: "r1", pipeline: "demo", pipelineFile: "p.yaml", arguments: [], startedAt: Date(), partitions: [day])
        report.units = units
        report.status = status
        report.exitCode = exitCode
        return report
    }

    func unit(_ stage: String, _ status: UnitStatus, resumeFrom: String? = nil) -> UnitReport {
        var unit = UnitReport(stage: stage, kind: "test/emit", partition: day, status: status, reason: "")
        unit.resumeFrom = resumeFrom
        return unit
    }

    @Test func aLedgerThatLostWritesResumesWithFailedPlusDownstream() {
        let report = report([unit("extract", .failed), unit("load", .blocked)])
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml", ledgerIncomplete: true)
                == "chainetl run p.yaml --partition 2026-11-20 --select failed+")
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --partition 2026-11-20 --select failed")
    }

    @Test func aCorruptUpstreamCheckpointResumesFromThatUpstream() {
        let report = report([unit("extract", .skipped), unit("normalize", .failed, resumeFrom: "extract")])
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --partition 2026-11-20 --select extract+ --select failed")
    }

    @Test func theCorruptUpstreamIsFoundInTheErrorOrItsText() {
        let unit = WorkUnit(partition: day, stageID: "normalize")
        let location = CheckpointLocation(
            workdir: URL(fileURLWithPath: "/w"), pipeline: "demo", partition: day, stageID: "extract")
        let corrupt = CheckpointError.corruptFile(location, file: "part-00000.ndjson.gz", defect: .sha256Mismatch)
        #expect(UnitExecutor.corruptUpstream(of: unit, needs: ["extract"], error: corrupt) == "extract")
        struct Wrapped: Error, CustomStringConvertible {
            var description: String
        }
        #expect(
            UnitExecutor.corruptUpstream(
                of: unit, needs: ["extract"], error: Wrapped(description: "normalize: \(corrupt)"))
                == "extract")
        #expect(UnitExecutor.corruptUpstream(of: unit, needs: ["extract"], error: Wrapped(description: "boom")) == nil)
    }

    @Test func aStoppedRunSaysBySignalAndResumesTheInterruptedUnits() {
        let report = report(
            [unit("extract", .succeeded), unit("load", .interrupted), unit("aggregate", .interrupted)],
            status: .interrupted, exitCode: 143)
        let line = RunSummary.line(report, reportPath: "work/runs/r1.json", elapsed: 1)
        #expect(line.hasPrefix("run r1: stopped by SIGTERM, 1 stages ok, 0 skipped, 0 failed, 2 interrupted"))
        #expect(
            RunSummary.resumeCommand(report, request: request, displayedPipelinePath: "p.yaml")
                == "chainetl run p.yaml --partition 2026-11-20 --select failed")
        #expect(
            RunSummary.failureLines(report, stopSignal: "SIGTERM")
                == ["run stopped by SIGTERM: 2 stages interrupted or not started (recorded 'interrupted')"])
    }

    @Test func aFullDiskWhileWritingTheReportLeavesNothingAndSaysSo() throws {
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("report-enospc-\(UUID())")
        defer { try? FileManager.default.removeItem(at: workdir) }
        let writer = RunReportWriter(workdir: workdir) { _, _, _ in
            errno = ENOSPC
            return -1
        }
        let report = report([unit("extract", .succeeded)], status: .succeeded, exitCode: 0)
        do {
            try writer.write(report)
            Issue.record("the write succeeded")
        } catch let error as OperationsError {
            #expect(error == .noSpace(path: writer.url(for: "r1").path))
            #expect(error.description.hasPrefix("no space left on device writing \(writer.url(for: "r1").path)"))
            #expect(!error.description.contains("NSCocoaErrorDomain"))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: writer.directory.path)
        #expect(left.isEmpty, "left behind: \(left)")
        let line = RunSummary.line(
            report, reportPath: nil, elapsed: 1,
            reportProblem: RunSummary.shortReason(.noSpace(path: writer.url(for: "r1").path)))
        #expect(line.hasSuffix("; no report: no space left on device writing \(writer.url(for: "r1").path)"))
        #expect(!line.contains("; report "))
    }

    @Test func aShortWriteIsCompletedAndTheReportIsWhole() throws {
        let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("report-short-\(UUID())")
        defer { try? FileManager.default.removeItem(at: workdir) }
        // One byte per call: the writer must loop until everything is written.
        let writer = RunReportWriter(workdir: workdir) { descriptor, bytes, _ in
            write(descriptor, bytes, 1)
        }
        let url = try writer.write(report([unit("extract", .succeeded)]))
        let decoded = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        #expect(decoded?["run_id"] as? String == "r1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: writer.directory.path) == ["r1.json"])
    }

    @Test func aRunWhoseReportMeetsAFullDiskSaysSoAndNamesNoReport() throws {
        let fixture = try RunnerFixture(
            """
            stages:
              - id: emit
                uses: test/emit
                with: { rows: 10 }
            """)
        let run = try fixture.run(reportWriteBytes: { _, _, _ in
            errno = ENOSPC
            return -1
        })
        #expect(run.result.exitCode == 1)
        #expect(run.result.reportURL == nil)
        #expect(run.result.summary.contains("; no report: no space left on device writing "))
        #expect(!run.result.summary.contains("; report "))
        #expect(run.stderr.contains("run report not written: no space left on device writing "))
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))
        let runs = fixture.workdir.appendingPathComponent("runs")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        #expect(left.allSatisfy { $0.hasSuffix(".html") }, "left behind: \(left)")
    }
}
