import ChainETLCore
import Foundation

/// Writes Prometheus textfile metrics for node_exporter (`--metrics-file PATH`), atomically.
///
/// A superset of the runner's first `MetricsFile`: the same run-level families, plus rows per
/// partition and accounting bucket, ingest lag per chain and API quota per key fingerprint.
public enum TextfileMetrics {
    /// Renders `metrics` and replaces the file at `path` in one rename, so the collector never
    /// reads half a file. Use a path ending in `.prom` inside the collector's folder.
    public static func write(path: URL, metrics: PipelineMetrics) throws {
        do {
            try AtomicFile.write(Data(render(metrics).utf8), to: path)
        } catch {
            throw OperationsError(error)
        }
    }

    /// The exposition text: every family with its HELP and TYPE lines, samples in a stable order.
    public static func render(_ metrics: PipelineMetrics) -> String {
        var text = PrometheusText()
        let pipeline = metrics.pipeline
        let stages = metrics.stages.sorted { ($0.partition, $0.stage) < ($1.partition, $1.stage) }

        text.family(
            "chainetl_stage_rows", type: "gauge",
            help: "Rows of one stage and partition in the last run, by accounting bucket (in = out + quarantined + "
                + "duplicates + excluded).")
        for sample in stages {
            guard let rows = sample.rows else { continue }
            let buckets: [(String, Int)] = [
                ("in", rows.rowsIn), ("out", rows.rowsOut), ("quarantined", rows.quarantined),
                ("duplicates", rows.duplicates), ("excluded", rows.excluded),
            ]
            for (kind, count) in buckets {
                text.sample(
                    "chainetl_stage_rows",
                    labels: [
                        ("pipeline", pipeline), ("stage", sample.stage), ("partition", sample.partition.description),
                        ("kind", kind),
                    ], value: Double(count))
            }
        }

        text.family(
            "chainetl_stage_units", type: "gauge", help: "Units of the stage in the last run, by status.")
        var unitCounts: [String: [String: Int]] = [:]
        for sample in stages {
            guard let status = sample.status else { continue }
            unitCounts[sample.stage, default: [:]][status, default: 0] += 1
        }
        for (stage, statuses) in unitCounts.sorted(by: { $0.key < $1.key }) {
            for (status, count) in statuses.sorted(by: { $0.key < $1.key }) {
                text.sample(
                    "chainetl_stage_units", labels: [("pipeline", pipeline), ("stage", stage), ("status", status)],
                    value: Double(count))
            }
        }

        text.family(
            "chainetl_stage_duration_seconds", type: "gauge",
            help: "Wall-clock duration of one stage and partition in the last run.")
        for sample in stages {
            guard let seconds = sample.durationSeconds else { continue }
            text.sample(
                "chainetl_stage_duration_seconds",
                labels: [("pipeline", pipeline), ("stage", sample.stage), ("partition", sample.partition.description)],
                value: seconds)
        }

        if let run = metrics.run {
            text.family("chainetl_run_duration_seconds", type: "gauge", help: "Wall-clock seconds of the last run.")
            text.sample("chainetl_run_duration_seconds", labels: [("pipeline", pipeline)], value: run.durationSeconds)
            text.family(
                "chainetl_run_exit_code", type: "gauge", help: "Exit code of the last run (0 ok, 1 failed, 3 locked).")
            text.sample("chainetl_run_exit_code", labels: [("pipeline", pipeline)], value: Double(run.exitCode))
            text.family("chainetl_run_partitions", type: "gauge", help: "Partitions the last run covered.")
            text.sample("chainetl_run_partitions", labels: [("pipeline", pipeline)], value: Double(run.partitions))
        }

        text.family(
            "chainetl_last_success_timestamp_seconds", type: "gauge",
            help: "Unix time at which the pipeline last finished a run with no failed unit.")
        if let lastSuccess = metrics.lastSuccess {
            text.sample(
                "chainetl_last_success_timestamp_seconds", labels: [("pipeline", pipeline)],
                value: lastSuccess.timeIntervalSince1970.rounded(.down))
        }

        text.family(
            "chainetl_ingest_lag_seconds", type: "gauge",
            help: "Seconds between the chain head and the newest loaded transfer.")
        for lag in metrics.ingestLag.sorted(by: { $0.chain < $1.chain }) {
            text.sample("chainetl_ingest_lag_seconds", labels: [("chain", lag.chain)], value: lag.seconds)
        }

        let quota = metrics.apiQuota.sorted { $0.fingerprint < $1.fingerprint }
        text.family(
            "chainetl_api_quota_used", type: "gauge",
            help: "Explorer API calls made today (UTC) with one key, named by its fingerprint.")
        for sample in quota {
            text.sample("chainetl_api_quota_used", labels: [("key", sample.fingerprint)], value: Double(sample.used))
        }
        text.family(
            "chainetl_api_quota_limit", type: "gauge",
            help: "The configured daily call limit (per_day) of one key, named by its fingerprint.")
        for sample in quota {
            guard let limit = sample.limit else { continue }
            text.sample("chainetl_api_quota_limit", labels: [("key", sample.fingerprint)], value: Double(limit))
        }
        return text.text
    }
}
