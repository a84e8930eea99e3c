import ChainETLCore
import Foundation

extension StatusReport {
    /// The human-readable report `chainetl status` prints on stdout.
    public var text: String {
        var lines = ["chainetl status at \(UTCTimestamp.readable(generatedAt))", ""]

        lines.append("Chains")
        if chains.isEmpty {
            lines.append("  no chain has loaded transfers or a recorded head yet")
        } else {
            var table = TextTable(headers: ["CHAIN", "LAST BLOCK", "LAST BLOCK TIME", "HEAD", "LAG", "QUOTA TODAY"])
            for chain in chains {
                let head = chain.head.map { "\($0.block) (\($0.source.rawValue))" } ?? "unknown"
                let lag =
                    chain.lagSeconds.map { seconds in
                        "\(Self.lagText(seconds))" + (chain.lagBlocks.map { ", \($0) blocks" } ?? "")
                    } ?? "unknown"
                table.add([
                    chain.label, chain.lastLoadedBlock.map(String.init) ?? "none",
                    chain.lastLoadedTime.map(UTCTimestamp.readable) ?? "none", head, lag, quotaText(for: chain),
                ])
            }
            lines += table.lines.map { "  " + $0 }
            for chain in chains {
                lines.append("  \(chain.label):")
                if let head = chain.head {
                    let age = Int(generatedAt.timeIntervalSince(head.observedAt).rounded())
                    let origin =
                        head.source == .explorer
                        ? "asked the explorer just now" : "LAST KNOWN head, observed \(age) s ago"
                    lines.append("    head \(head.block): \(origin)")
                }
                if let note = chain.headNote { lines.append("    note: \(note)") }
                lines.append("    last success: \(Self.runText(chain.lastSuccess))")
                lines.append("    last failure: \(Self.runText(chain.lastFailure))")
            }
        }

        lines.append("")
        lines.append("Pipelines")
        if pipelines.isEmpty {
            lines.append("  no pipeline has run yet")
        } else {
            var table = TextTable(headers: ["PIPELINE", "WINDOW", "DONE", "FAILED", "MISSING"])
            for pipeline in pipelines {
                table.add([
                    pipeline.name, "\(pipeline.firstDay) … \(pipeline.lastDay)", String(pipeline.done.count),
                    String(pipeline.failed.count), String(pipeline.missing.count),
                ])
            }
            lines += table.lines.map { "  " + $0 }
            for pipeline in pipelines {
                if !pipeline.failed.isEmpty {
                    lines.append("  \(pipeline.name) failed: \(Self.dayRanges(pipeline.failed))")
                }
                if !pipeline.missing.isEmpty {
                    lines.append("  \(pipeline.name) missing: \(Self.dayRanges(pipeline.missing))")
                }
            }
        }

        if let claims, !claims.isEmpty {
            lines.append("")
            lines.append("Claims (--claim backfills)")
            var table = TextTable(headers: ["PIPELINE", "PARTITION", "STATE", "HOLDER", "HEARTBEAT", "ATTEMPTS", "RUN"])
            for claim in claims {
                let holder = claim.host.map { host in "\(host) pid \(claim.pid.map(String.init) ?? "?")" } ?? "-"
                let heartbeat =
                    claim.state == "claimed" || claim.state == "expired"
                    ? claim.heartbeatAgeSeconds.map { String(format: "%.1f s ago", max(0, $0)) } ?? "-" : "-"
                table.add([
                    claim.pipeline + (claim.work.isEmpty ? "" : " (\(claim.work))"), claim.partition, claim.state,
                    holder, heartbeat, String(claim.attempts), claim.runID ?? "-",
                ])
            }
            lines += table.lines.map { "  " + $0 }
        }

        if !apiKeys.isEmpty {
            lines.append("")
            lines.append("API keys (today, UTC)")
            var table = TextTable(headers: ["KEY", "CHAINS", "USED", "LIMIT", "REMAINING"])
            for key in apiKeys {
                table.add([
                    key.fingerprint, key.chains.isEmpty ? "-" : key.chains.joined(separator: ","), String(key.used),
                    key.limit.map(String.init) ?? "-", key.remaining.map(String.init) ?? "-",
                ])
            }
            lines += table.lines.map { "  " + $0 }
        }

        if !notes.isEmpty {
            lines.append("")
            lines += notes.map { "note: \($0)" }
        }
        if let threshold = lagThresholdSeconds {
            lines.append("")
            if lagViolations.isEmpty {
                lines.append("lag ok: every chain is within \(Self.lagText(threshold)) of its head")
            } else {
                // The violations themselves go to stderr (`StatusCommand`), where a monitor's log reads them.
                lines.append("exit \(exitCode): lag above --fail-if-lag \(Int(threshold.rounded())) (see stderr)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The machine-readable report (`--json`): snake_case keys, ISO 8601 UTC times, sorted keys.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The key column of a chain: `12/100000` or just the count when no limit is configured.
    private func quotaText(for chain: ChainStatus) -> String {
        guard let fingerprint = chain.keyFingerprint, let key = apiKeys.first(where: { $0.fingerprint == fingerprint })
        else { return "-" }
        return key.limit.map { "\(key.used)/\($0)" } ?? String(key.used)
    }

    /// `93600 s (26 h 00 m)`.
    static func lagText(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        return "\(whole) s (\(HTMLText.duration(seconds)))"
    }

    static func runText(_ run: StageRunSummary?) -> String {
        guard let run else { return "none recorded" }
        var text =
            "\(run.pipeline)/\(run.stage) partition \(run.partition) at \(UTCTimestamp.readable(run.at)) "
            + "(run \(run.runID))"
        if let error = run.error { text += ": \(error)" }
        return text
    }

    /// `2026-11-01…2026-11-05, 2026-11-09`.
    static func dayRanges(_ days: [PartitionDay]) -> String {
        var ranges: [(PartitionDay, PartitionDay)] = []
        for day in days.sorted() {
            if let last = ranges.last, last.1.advanced(by: 1) == day {
                ranges[ranges.count - 1].1 = day
            } else {
                ranges.append((day, day))
            }
        }
        return ranges.map { $0.0 == $0.1 ? $0.0.description : "\($0.0)…\($0.1)" }.joined(separator: ", ")
    }
}
