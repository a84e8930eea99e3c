import Foundation

/// Prometheus textfile metrics for node_exporter (`--metrics-file`), written atomically.
///
/// Per stage (summed over the run's partitions): units by status, rows in/out/quarantined, and
/// seconds spent; per pipeline: the run's status, duration and exit code, and the time of the last
/// successful run (from the ledger, so a failed run keeps reporting the previous success).
struct MetricsFile {
    let url: URL

    func write(_ report: RunReport, lastSuccess: Date?) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try Data(Self.render(report, lastSuccess: lastSuccess).utf8).write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw RunnerError.reportNotWritten(path: url.path, reason: String(cString: strerror(code)))
        }
    }

    static func render(_ report: RunReport, lastSuccess: Date?) -> String {
        var out = ""
        let pipeline = "pipeline=\(label(report.pipeline))"
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name){\(sample.labels)} \(sample.value)\n" }
        }
        let stages = Array(Set(report.units.map(\.stage))).sorted()
        let byStage = Dictionary(grouping: report.units, by: \.stage)
        func perStage(_ value: ([UnitReport]) -> Double) -> [(labels: String, value: String)] {
            stages.map { ("\(pipeline),stage=\(label($0))", number(value(byStage[$0] ?? []))) }
        }
        family(
            "chainetl_stage_units", "gauge", "Units of the stage in the last run, by status.",
            stages.flatMap { stage in
                UnitStatus.allCases.filter { $0 != .running }.map { status in
                    (
                        "\(pipeline),stage=\(label(stage)),status=\(label(status.rawValue))",
                        number(Double(byStage[stage]?.filter { $0.status == status }.count ?? 0))
                    )
                }
            })
        family(
            "chainetl_stage_rows_in", "gauge", "Rows the stage read in the last run.",
            perStage { Double($0.reduce(0) { $0 + ($1.counts?.rowsIn ?? 0) }) })
        family(
            "chainetl_stage_rows_out", "gauge", "Rows the stage wrote in the last run.",
            perStage { Double($0.reduce(0) { $0 + ($1.counts?.rowsOut ?? 0) }) })
        family(
            "chainetl_stage_rows_quarantined", "gauge", "Rows the stage quarantined in the last run.",
            perStage { Double($0.reduce(0) { $0 + ($1.counts?.quarantined ?? 0) }) })
        family(
            "chainetl_stage_duration_seconds", "gauge", "Seconds the stage ran in the last run, over all partitions.",
            perStage { Double($0.reduce(0) { $0 + ($1.durationMS ?? 0) }) / 1000 })
        let duration = report.finishedAt.map { $0.timeIntervalSince(report.startedAt) } ?? 0
        family(
            "chainetl_run_duration_seconds", "gauge", "Wall-clock seconds of the last run.",
            [(pipeline, number(duration))])
        family(
            "chainetl_run_exit_code", "gauge", "Exit code of the last run (0 ok, 1 failed, 3 locked).",
            [(pipeline, number(Double(report.exitCode)))])
        family(
            "chainetl_run_partitions", "gauge", "Partitions the last run covered.",
            [(pipeline, number(Double(report.partitions.count)))])
        if let lastSuccess {
            family(
                "chainetl_last_success_timestamp_seconds", "gauge", "Unix time the last successful run finished.",
                [(pipeline, number(lastSuccess.timeIntervalSince1970.rounded()))])
        }
        return out
    }

    /// A quoted label value with `\`, `"` and newlines escaped.
    private static func label(_ value: String) -> String {
        "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
