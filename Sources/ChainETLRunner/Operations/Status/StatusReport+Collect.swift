import ChainETLCore
import ChainETLExplorers
import ChainETLPostgres
import Foundation
import Logging

extension StatusReport {
    /// Gathers the status from the ledger, `transfers`, `etl_chain_heads` and (unless offline) the explorers.
    ///
    /// - Parameters:
    ///   - heads: asks explorers for heads; nil (or `request.offline`) uses the last known heads only.
    ///   - environment: reads API keys to fingerprint them (the keys themselves are never kept).
    /// - Throws: `OperationsError.database` when the ledger cannot be read (e.g. not migrated).
    public static func collect(
        _ request: StatusRequest, connection: PostgresConnection, heads: (any ChainHeadSource)?,
        environment: [String: String], logger: Logger
    ) throws -> StatusReport {
        let ledger = StatusLedger(connection: connection)
        var report = StatusReport(generatedAt: request.now, lagThresholdSeconds: request.lagThresholdSeconds)
        for table in ["etl_runs", "etl_stage_runs", "etl_api_quota"] where try !ledger.tableExists(table) {
            throw OperationsError.database(
                action: "read the run ledger", message: "table \(table) does not exist (schemas/0001_ledger.sql)")
        }
        let hasTransfers = try ledger.tableExists("transfers")
        let hasHeads = try ledger.tableExists("etl_chain_heads")
        if !hasTransfers {
            report.notes.append(
                "table transfers does not exist yet (schemas/0002_transfers.sql): no load has run or "
                    + "`chainetl migrate` was not applied; last loaded blocks are unknown")
        }
        if !hasHeads {
            report.notes.append(
                "table etl_chain_heads does not exist (schemas/0005_status.sql): run `chainetl migrate` to keep "
                    + "last known heads")
        }

        // Which pipelines and chains.
        let spec: PipelineSpec?
        let pipelineNames: [String]
        switch request.scope {
        case .all:
            spec = nil
            pipelineNames = try ledger.pipelineNames()
        case .named(let name):
            // A misspelled name would otherwise report every partition "missing" and exit 0.
            let known = try ledger.pipelineNames()
            guard known.contains(name) else {
                throw OperationsError.usage(
                    "no pipeline named '\(name)' has runs in this database; "
                        + NearestName.hint(for: name, in: known, noun: "pipeline")
                        + " (or give the pipeline file, e.g. `chainetl status pipelines/\(name).yaml`)")
            }
            spec = nil
            pipelineNames = [name]
        case .pipeline(let pipeline):
            spec = pipeline
            pipelineNames = [pipeline.name]
        }
        let knownHeads = hasHeads ? try ledger.knownHeads() : [:]
        var chains: [(name: String?, chainID: Int, spec: ChainSpec?)]
        if let spec {
            chains = spec.chains.map { ($0.name, $0.chainID, $0) }
        } else {
            let since = request.now.addingTimeInterval(-Double(max(1, request.windowDays) + 1) * 86_400)
            let recent = hasTransfers ? try ledger.recentChainIDs(since: since) : []
            chains = Set(recent).union(knownHeads.keys).sorted().map { (nil, $0, nil) }
        }

        // API keys by fingerprint (the keys themselves are never kept).
        var keyChains: [String: [String]] = [:]
        var keyLimits: [String: Int] = [:]
        var chainKeys: [Int: String] = [:]
        for chain in spec?.chains ?? [] {
            let apiKey = chain.apiKeyEnv.flatMap { environment[$0] }
            let fingerprint = APIKeyFingerprint(apiKey: apiKey).value
            chainKeys[chain.chainID] = fingerprint
            keyChains[fingerprint, default: []].append(chain.name)
            if let perDay = chain.ratePerDay { keyLimits[fingerprint] = min(keyLimits[fingerprint] ?? perDay, perDay) }
        }

        // Per chain.
        let askExplorer = heads != nil && !request.offline
        for chain in chains {
            var status = ChainStatus(name: chain.name, chainID: chain.chainID)
            status.keyFingerprint = chainKeys[chain.chainID]
            if hasTransfers, let last = try ledger.lastLoaded(chainID: chain.chainID) {
                status.lastLoadedBlock = last.block
                status.lastLoadedTime = last.time
            }
            let lastKnown = knownHeads[chain.chainID]
            if askExplorer, let heads, let chainSpec = chain.spec {
                do {
                    let block = try heads.headBlock(of: chainSpec)
                    // The explorer gives the head's number only; its time is when we asked (within a block).
                    status.head = ChainHead(block: block, time: request.now, observedAt: request.now, source: .explorer)
                    if hasHeads {
                        try ChainHeadStore.record(
                            chainID: chain.chainID, headBlock: block, time: request.now, observedAt: request.now,
                            observedBy: "status", connection: connection)
                    }
                } catch let error as OperationsError {
                    throw error
                } catch {
                    logger.warning(
                        "explorer head not available", metadata: ["chain.id": "\(chain.chainID)", "error": "\(error)"])
                    status.head = lastKnown
                    status.headNote =
                        "explorer unreachable (\(error)); "
                        + (lastKnown == nil ? "no head was ever recorded" : "using the last known head")
                }
            } else {
                status.head = lastKnown
                let reason =
                    request.offline
                    ? "offline"
                    : chain.spec == nil
                        ? "no explorer configuration (give the pipeline file to ask the explorer)"
                        : "explorer not asked"
                status.headNote = "\(reason); " + (lastKnown == nil ? "no head was ever recorded" : "last known head")
            }
            if let head = status.head, let loadedTime = status.lastLoadedTime, let loadedBlock = status.lastLoadedBlock
            {
                // Whole seconds: a monitor reads `lag_seconds`, and sub-second digits only add noise.
                status.lagSeconds = max(0, head.time.timeIntervalSince(loadedTime)).rounded()
                status.lagBlocks = max(0, head.block - loadedBlock)
            }
            let stages = spec.flatMap { stageIDs(of: $0, concerning: chain.name) }
            if !pipelineNames.isEmpty {
                status.lastSuccess = try ledger.latestStageRun(
                    pipelines: pipelineNames, stages: stages, statuses: ["succeeded"])
                // An interrupted unit (stopped by a signal, or left by a dead run) is a failure too.
                status.lastFailure = try ledger.latestStageRun(
                    pipelines: pipelineNames, stages: stages, statuses: ["failed", "interrupted"])
            }
            report.chains.append(status)
        }

        // Quota: today's calls per key, read after the head probes above counted theirs.
        let today = PartitionDay(containing: request.now)
        let usage = try ledger.quotaUsage(day: today)
        let fingerprints = spec == nil ? usage.keys.sorted() : keyChains.keys.sorted()
        report.apiKeys = fingerprints.map {
            KeyQuota(
                fingerprint: $0, chains: keyChains[$0] ?? [], day: today, used: usage[$0] ?? 0, limit: keyLimits[$0])
        }

        // Per pipeline.
        let window = request.window
        for name in pipelineNames {
            let stageIDs = try spec?.stages.map(\.id) ?? ledger.stagesSeen(pipeline: name)
            let latest = try ledger.latestStatuses(pipeline: name, first: window.first, last: window.last)
            var pipeline = PipelineStatus(
                name: name, firstDay: window.first, lastDay: window.last, stages: stageIDs, done: [], failed: [],
                missing: [])
            for day in PartitionDay.range(from: window.first, through: window.last) {
                let statuses = latest[day] ?? [:]
                if stageIDs.contains(where: { ["failed", "blocked", "interrupted"].contains(statuses[$0]) }) {
                    pipeline.failed.append(day)
                } else if !stageIDs.isEmpty,
                    stageIDs.allSatisfy({ statuses[$0] == "succeeded" || statuses[$0] == "skipped" })
                {
                    pipeline.done.append(day)
                } else {
                    pipeline.missing.append(day)
                }
            }
            report.pipelines.append(pipeline)
        }

        // The monitor's verdict.
        if let threshold = request.lagThresholdSeconds {
            if report.chains.isEmpty {
                report.lagViolations.append("no chain has loaded transfers or a known head: lag is unknown")
            }
            for chain in report.chains {
                if let lag = chain.lagSeconds {
                    if lag > threshold {
                        report.lagViolations.append(
                            "\(chain.label): lag \(Int(lag.rounded())) s exceeds \(Int(threshold.rounded())) s")
                    }
                } else {
                    let why = chain.lastLoadedTime == nil ? "no transfers loaded" : "no chain head known"
                    report.lagViolations.append("\(chain.label): lag unknown (\(why))")
                }
            }
        }
        return report
    }

    /// The stages of `pipeline` that concern `chain`: those whose `with:` names it (`chain: x`,
    /// `chains: [x, …]`, or any value equal to its name) plus those that name no chain at all.
    static func stageIDs(of pipeline: PipelineSpec, concerning chain: String?) -> [String]? {
        guard let chain else { return nil }
        let chainNames = Set(pipeline.chains.map(\.name))
        return pipeline.stages.filter { stage in
            let named = namedValues(stage.parameters).filter(chainNames.contains)
            return named.isEmpty || named.contains(chain)
        }.map(\.id)
    }

    /// Scalar values directly under the `with:` mapping, and scalars of lists directly under it.
    private static func namedValues(_ node: ConfigNode) -> [String] {
        guard case .mapping(let pairs) = node.value else { return [] }
        return pairs.flatMap { pair -> [String] in
            switch pair.value.value {
            case .scalar(let text): return [text]
            case .sequence(let items):
                return items.compactMap { if case .scalar(let text) = $0.value { return text } else { return nil } }
            default: return []
            }
        }
    }
}
