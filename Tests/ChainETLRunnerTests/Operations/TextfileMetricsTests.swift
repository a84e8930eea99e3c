import ChainETLCore
import ChainETLExplorers
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("Prometheus textfile metrics")
struct TextfileMetricsTests {
    let day = PartitionDay("2026-11-20")!

    var metrics: PipelineMetrics {
        PipelineMetrics(
            pipeline: "nightly",
            stages: [
                .init(
                    stage: "normalize", partition: day,
                    rows: RunReportDocument.RowAccounting(
                        rowsIn: 10, rowsOut: 7, quarantined: 1, duplicates: 1, excluded: 1),
                    durationSeconds: 1.25, status: "failed"),
                .init(stage: "extract", partition: day, rows: nil, durationSeconds: 42, status: "succeeded"),
                .init(
                    stage: "extract", partition: day.advanced(by: 1), rows: nil, durationSeconds: nil,
                    status: "succeeded"),
            ],
            lastSuccess: Date(timeIntervalSince1970: 1_795_000_000.75),
            ingestLag: [.init(chain: "ethereum", seconds: 3600), .init(chain: "we\"ird\\chain\nname", seconds: 0.5)],
            apiQuota: [.init(fingerprint: APIKeyFingerprint(apiKey: "SECRET-KEY-VALUE").value, used: 40, limit: 100)],
            run: .init(durationSeconds: 61.5, exitCode: 1, partitions: 2))
    }

    @Test("samples, labels and values in the exposition format")
    func samples() {
        let text = TextfileMetrics.render(metrics)
        let fingerprint = APIKeyFingerprint(apiKey: "SECRET-KEY-VALUE").value
        let expected = [
            "chainetl_stage_rows{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\",kind=\"in\"} 10",
            "chainetl_stage_rows{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\",kind=\"out\"} 7",
            "chainetl_stage_rows{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\",kind=\"quarantined\"} 1",
            "chainetl_stage_rows{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\",kind=\"duplicates\"} 1",
            "chainetl_stage_rows{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\",kind=\"excluded\"} 1",
            "chainetl_stage_duration_seconds{pipeline=\"nightly\",stage=\"extract\",partition=\"2026-11-20\"} 42",
            "chainetl_stage_duration_seconds{pipeline=\"nightly\",stage=\"normalize\",partition=\"2026-11-20\"} 1.25",
            "chainetl_last_success_timestamp_seconds{pipeline=\"nightly\"} 1795000000",
            "chainetl_ingest_lag_seconds{chain=\"ethereum\"} 3600",
            "chainetl_ingest_lag_seconds{chain=\"we\\\"ird\\\\chain\\nname\"} 0.5",
            "chainetl_api_quota_used{key=\"\(fingerprint)\"} 40",
            "chainetl_api_quota_limit{key=\"\(fingerprint)\"} 100",
            "chainetl_stage_units{pipeline=\"nightly\",stage=\"extract\",status=\"succeeded\"} 2",
            "chainetl_stage_units{pipeline=\"nightly\",stage=\"normalize\",status=\"failed\"} 1",
            "chainetl_run_duration_seconds{pipeline=\"nightly\"} 61.5",
            "chainetl_run_exit_code{pipeline=\"nightly\"} 1",
            "chainetl_run_partitions{pipeline=\"nightly\"} 2",
        ]
        let lines = text.split(separator: "\n").map(String.init)
        for line in expected { #expect(lines.contains(line), "missing: \(line)") }
        #expect(!text.contains("SECRET-KEY-VALUE"))
        #expect(!text.contains("kind=\"in\"} 10\nchainetl_stage_rows{pipeline=\"nightly\",stage=\"extract\""))
        #expect(text.hasSuffix("\n"))
    }

    @Test("every family has one HELP and one TYPE line before its samples, and every line parses")
    func structure() {
        let lines = TextfileMetrics.render(metrics).split(separator: "\n").map(String.init)
        let families = [
            "chainetl_stage_rows", "chainetl_stage_duration_seconds", "chainetl_last_success_timestamp_seconds",
            "chainetl_ingest_lag_seconds", "chainetl_api_quota_used", "chainetl_api_quota_limit",
            "chainetl_stage_units", "chainetl_run_duration_seconds", "chainetl_run_exit_code",
            "chainetl_run_partitions",
        ]
        for family in families {
            #expect(lines.filter { $0 == "# TYPE \(family) gauge" }.count == 1)
            #expect(lines.filter { $0.hasPrefix("# HELP \(family) ") }.count == 1)
            let typeIndex = lines.firstIndex(of: "# TYPE \(family) gauge") ?? -1
            let firstSample = lines.firstIndex { $0.hasPrefix("\(family){") } ?? Int.max
            #expect(typeIndex < firstSample)
        }
        let sample = #/^[a-z_]+\{([a-z_]+="([^"\\\n]|\\["\\n])*",?)+\} -?[0-9.e+]+$/#
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "unparsable: \(line)")
        }
    }

    @Test("the file is replaced atomically, with no temporary left behind")
    func atomicWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ops-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("chainetl.prom")
        try TextfileMetrics.write(path: path, metrics: PipelineMetrics(pipeline: "first"))
        try TextfileMetrics.write(path: path, metrics: metrics)
        #expect(try String(contentsOf: path, encoding: .utf8) == TextfileMetrics.render(metrics))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["chainetl.prom"])
        #expect(throws: OperationsError.self) {
            try TextfileMetrics.write(path: URL(fileURLWithPath: "/proc/chainetl/m.prom"), metrics: metrics)
        }
    }

    @Test("numbers: integers plain, fractions round-trip, special values spelled out")
    func numbers() {
        #expect(PrometheusText.number(3) == "3")
        #expect(PrometheusText.number(0.1) == "0.1")
        #expect(PrometheusText.number(.infinity) == "+Inf")
        #expect(PrometheusText.number(.nan) == "NaN")
    }
}
