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
        let queries = StatusQueries(connection: connection)
        var report = StatusReport(generatedAt: request.now, lagThresholdSeconds: request.lagThresholdSeconds)
        for table in ["etl_runs", "etl_stage_runs", "etl_api_quota"] where try !queries.tableExists(table) {
            throw OperationsError.database(
                action: "read the run ledger", message: "table \(table) does not exist (schemas/0001_ledger.sql)")
        }
        let hasTransfers = try queries.tableExists("transfers")
        let hasHeads = try queries.tableExists("etl_chain_heads")
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
            pipelineNames = try queries.pipelineNames()
        case .named(let name):
            // A misspelled name would otherwise report every partition "missing" and exit 0.
            let known = try queries.pipelineNames()
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
        let knownHeads = hasHeads ? try queries.knownHeads() : [:]
        var chains: [(name: String?, chainID: Int, spec: ChainSpec?)]
        if let spec {
            chains = spec.chains.map { ($0.name, $0.chainID, $0) }
        } else {
            let since = request.now.addingTimeInterval(-Double(max(1, request.windowDays) + 1) * 86_400)
            let recent = hasTransfers ? try queries.recentChainIDs(since: since) : []
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
            if hasTransfers, let last = try queries.lastLoaded(chainID: chain.chainID) {
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
            // Which stage runs are this chain's: see `attribution(of:in:chainCount:)`.
            if !pipelineNames.isEmpty, let attribution = attribution(of: chain.name, in: spec, chainCount: chains.count)
            {
                status.lastSuccess = try queries.latestStageRun(
                    pipelines: pipelineNames, stages: attribution.stages.map { $0 + (attribution.shared?.stages ?? []) },
                    statuses: ["succeeded"])
                // An interrupted unit (stopped by a signal, or left by a dead run) is a failure too; a
                // failure that a later run of the same stage and day fixed is not listed.
                status.lastFailure = try queries.latestStageRun(
                    pipelines: pipelineNames, stages: attribution.stages, statuses: ["failed", "interrupted"],
                    unlessSucceededLater: true, shared: attribution.shared)
            }
            report.chains.append(status)
        }

        if spec == nil, chains.count > 1 {
            report.notes.append(
                "without the pipeline file, stage runs cannot be attributed to chains: last success and last "
                    + "failure are shown per chain only with it (e.g. `chainetl status pipelines/<name>.yaml`)")
        }

        // Quota: today's calls per key, read after the head probes above counted theirs.
        let today = PartitionDay(containing: request.now)
        let usage = try queries.quotaUsage(day: today)
        let fingerprints = spec == nil ? usage.keys.sorted() : keyChains.keys.sorted()
        report.apiKeys = fingerprints.map {
            KeyQuota(
                fingerprint: $0, chains: keyChains[$0] ?? [], day: today, used: usage[$0] ?? 0, limit: keyLimits[$0])
        }

        // Per pipeline.
        let window = request.window
        for name in pipelineNames {
            let stageIDs = try spec?.stages.map(\.id) ?? queries.stagesSeen(pipeline: name)
            let latest = try queries.latestStatuses(pipeline: name, first: window.first, last: window.last)
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

        // The claims of --claim backfills, with their holders.
        if try queries.tableExists("etl_claims") {
            let rows = try WorkClaims.rows(connection, pipeline: pipelineNames.count == 1 ? pipelineNames[0] : nil)
            if !rows.isEmpty {
                report.claims = rows.map {
                    ClaimStatus(
                        pipeline: $0.pipeline, work: $0.work, partition: $0.partition,
                        state: $0.isExpired ? "expired" : $0.state, attempts: $0.attempts, host: $0.host, pid: $0.pid,
                        heartbeatAgeSeconds: $0.heartbeatAgeSeconds, leaseSeconds: $0.leaseSeconds, runID: $0.runID,
                        error: $0.error)
                }
            }
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

    /// Which stage runs count as a chain's for "last success" / "last failure".
    struct Attribution: Equatable {
        /// Stages whose `with:` names the chain; nil: every stage counts.
        var stages: [String]?
        /// Stages of several chains (their `with:` names none): each success counts; a failure counts
        /// when its error text names the chain or names none of the pipeline's chains.
        var shared: SharedStages?
    }

    /// A stage concerns a chain when its `with:` names it (`chain: x`, `chains: [x, …]`, or any value
    /// equal to its name); its runs are that chain's. A stage that names no chain (an extract of every
    /// chain, an aggregate, an export) concerns every chain of a one-chain pipeline. In a pipeline of
    /// several chains its successes count for every chain, and a failure counts for the chains its
    /// error text names (`chain ethereum: …`, as extract errors say) or, when it names none of them
    /// (e.g. the database went away), for every chain.
    ///
    /// Without a pipeline file the stages' chains are unknown: with one chain listed every stage run
    /// counts, with several nothing is attributed (nil).
    static func attribution(of chain: String?, in pipeline: PipelineSpec?, chainCount: Int) -> Attribution? {
        guard let pipeline, let chain else {
            return chainCount == 1 ? Attribution(stages: nil, shared: nil) : nil
        }
        let chainNames = Set(pipeline.chains.map(\.name))
        var own: [String] = []
        var unnamed: [String] = []
        for stage in pipeline.stages {
            let named = namedValues(stage.parameters).filter(chainNames.contains)
            if named.isEmpty {
                if pipeline.chains.count == 1 { own.append(stage.id) } else { unnamed.append(stage.id) }
            } else if named.contains(chain) {
                own.append(stage.id)
            }
        }
        let shared =
            unnamed.isEmpty
            ? nil : SharedStages(stages: unnamed, chain: chain, allChains: pipeline.chains.map(\.name))
        return Attribution(stages: own, shared: shared)
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
