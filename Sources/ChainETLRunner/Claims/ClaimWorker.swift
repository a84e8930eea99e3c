import ChainETLCore
import ChainETLPostgres
import ChainETLStages
import Foundation
import Logging

/// `chainetl run PIPELINE --from A --to B --claim`: one of any number of runners, on any machines,
/// that share a backfill through `etl_claims` (docs/scaling.md "Work claiming").
///
/// It queues the range's partitions (once: later runners find them queued), then claims one
/// partition at a time, renews the claim's lease from a heartbeat thread while it runs the
/// partition exactly as `chainetl run --partition D` would (plan, skips, checkpoints, partition
/// lock, ledger, report), and records the claim done, failed or released. It waits while other
/// runners hold the rest, takes over claims whose lease expired (their runner died; the rerun
/// resumes from the checkpoints), and exits once every partition of the range is done or failed
/// `maxAttempts` times.
public final class ClaimWorker {
    /// The lease settings: `--lease-seconds`, and how often a failed partition is retried.
    public struct Options: Sendable {
        public var leaseSeconds: Double
        public var maxAttempts: Int

        public static let defaultLeaseSeconds = 60.0
        public static let defaultMaxAttempts = 3

        public init(leaseSeconds: Double = defaultLeaseSeconds, maxAttempts: Int = defaultMaxAttempts) {
            self.leaseSeconds = leaseSeconds
            self.maxAttempts = maxAttempts
        }

        /// The heartbeat renews the lease three times per lease period, so one slow renewal never loses it.
        var heartbeatSeconds: Double { max(leaseSeconds / 3, 0.05) }
        /// How long a runner with nothing claimable waits before it looks again.
        var pollSeconds: Double { min(max(leaseSeconds / 4, 0.1), 5) }
    }

    private let request: RunRequest
    private let options: Options
    private let registry: StageRegistry
    private let environment: [String: String]
    private let logger: Logger
    private let console: RunConsole

    public init(
        request: RunRequest, options: Options, registry: StageRegistry = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger, console: RunConsole
    ) {
        self.request = request
        self.options = options
        self.registry = registry
        self.environment = environment
        self.logger = logger
        self.console = console
    }

    /// The queue a request works on: '' for a plain run, else its `--select` and `--force` words,
    /// so a forced or selected backfill does not find the plain one's partitions done.
    static func work(of request: RunRequest) -> String {
        (request.selections.map { "--select \($0)" } + (request.force ? ["--force"] : [])).joined(separator: " ")
    }

    /// Works until the range is finished; returns the exit code (SPEC §2).
    public func run() -> Int32 {
        let holder = WorkClaims.Holder.current()
        let workerID = "\(holder.host) pid \(holder.pid)"
        var logger = self.logger
        logger[metadataKey: "worker"] = "\(workerID)"
        let signals = request.trapsSignals ? SignalTrap(flag: .process, logger: logger) : nil
        let work = Self.work(of: request)
        let days = request.partitions.days()
        guard let from = days.first, let to = days.last else { return 0 }

        let pipeline: String
        let connection: PostgresConnection
        do {
            pipeline = try RunPlanner.loadPipeline(
                request.pipelineFile, registry: registry, environment: environment
            ).name
            let migrator = try MigrationSource.migrator(environment: environment)
            do {
                connection = try PostgresConnection.connect(
                    url: request.databaseURL, applicationName: "chainetl worker \(workerID)", logger: logger)
            } catch {
                throw RunnerError.database(action: "connect to PostgreSQL", underlying: error)
            }
            do {
                _ = try migrator.migrate(connection)
                let added = try WorkClaims.enqueue(connection, pipeline: pipeline, work: work, from: from, to: to)
                logger.info(
                    "claim queue ready",
                    metadata: [
                        "pipeline": "\(pipeline)", "from": "\(from)", "to": "\(to)", "queued.added": "\(added)",
                        "lease.seconds": "\(options.leaseSeconds)",
                    ])
            } catch {
                connection.close()
                throw RunnerError.database(action: "queue the partitions in etl_claims", underlying: error)
            }
        } catch {
            return notStarted(workerID: workerID, error: error)
        }
        defer { connection.close() }

        var mine: [(PartitionDay, String)] = []
        var waitingLogged = false
        var problem: String?
        while !CancellationFlag.process.isCancelled {
            let claim: WorkClaims.Claim?
            do {
                claim = try WorkClaims.claimNext(
                    connection, pipeline: pipeline, work: work, from: from, to: to, holder: holder,
                    leaseSeconds: options.leaseSeconds, maxAttempts: options.maxAttempts)
            } catch {
                problem = "claiming a partition in etl_claims failed: \(error)"
                break
            }
            guard let claim else {
                let left: (open: Int, claimed: Int, failedForGood: [PartitionDay])
                do {
                    left = try WorkClaims.remaining(
                        connection, pipeline: pipeline, work: work, from: from, to: to,
                        maxAttempts: options.maxAttempts)
                } catch {
                    problem = "reading etl_claims failed: \(error)"
                    break
                }
                if left.open == 0 { break }
                if !waitingLogged {
                    // Claimed by live runners: wait, to take over any whose runner dies.
                    logger.info(
                        "waiting: the other partitions are claimed by other runners",
                        metadata: ["claimed.count": "\(left.claimed)", "open.count": "\(left.open)"])
                    waitingLogged = true
                }
                CancellationFlag.process.sleep(seconds: options.pollSeconds)
                continue
            }
            waitingLogged = false
            var claimMetadata: Logger.Metadata = [
                "partition": "\(claim.partition)", "attempt": "\(claim.attempt)",
            ]
            if let previous = claim.tookOverFrom { claimMetadata["took_over_from"] = "\(previous)" }
            logger.info(
                claim.tookOverFrom == nil ? "partition claimed" : "partition claimed: took over an expired lease",
                metadata: claimMetadata)

            let heartbeat = ClaimHeartbeat(
                pipeline: pipeline, work: work, partition: claim.partition, holder: holder,
                interval: options.heartbeatSeconds, databaseURL: request.databaseURL, logger: logger)
            var partitionRequest = request
            partitionRequest.partitions = .single(claim.partition)
            partitionRequest.trapsSignals = false
            let runner = PipelineRunner(
                request: partitionRequest, registry: registry, environment: environment, logger: logger,
                console: console)
            runner.sharedSignals = signals
            let result = runner.run()
            heartbeat.stop()

            let runID = result.report?.runID
            let outcome: WorkClaims.Outcome
            switch result.status {
            case .succeeded:
                outcome = .done(runID: runID)
            case .interrupted, .locked:
                outcome = .released(runID: runID)
            case .failed, .invalid, .running:
                outcome = .failed(runID: runID, error: result.summary)
            }
            do {
                try WorkClaims.finish(
                    connection, pipeline: pipeline, work: work, partition: claim.partition, holder: holder,
                    outcome: outcome)
            } catch {
                problem = "recording the claim of \(claim.partition) in etl_claims failed: \(error)"
                break
            }
            mine.append((claim.partition, "\(result.status.rawValue)"))
            logger.info(
                "partition claim ended",
                metadata: [
                    "partition": "\(claim.partition)", "status": "\(result.status.rawValue)",
                    "run.id": "\(runID ?? "")",
                ])
            if result.status == .invalid { break }  // a config error fails every partition alike
            if result.status == .locked {
                // A run outside the queue holds the partition: look again after a pause.
                CancellationFlag.process.sleep(seconds: options.pollSeconds)
            }
        }

        var failures: [String] = []
        var exitCode: Int32 = 0
        var status = RunStatus.succeeded
        if let problem {
            failures.append(problem)
            exitCode = 1
            status = .failed
        } else if let left = try? WorkClaims.remaining(
            connection, pipeline: pipeline, work: work, from: from, to: to, maxAttempts: options.maxAttempts),
            !left.failedForGood.isEmpty
        {
            failures.append(
                "partitions failed \(options.maxAttempts) times: "
                    + left.failedForGood.map(\.description).joined(separator: ", ")
                    + "; see 'chainetl status' and each partition's run report")
            exitCode = 1
            status = .failed
        }
        if mine.contains(where: { $0.1 == RunStatus.invalid.rawValue }) {
            exitCode = 2
            status = .invalid
        }
        if let signal = signals?.receivedSignal {
            exitCode = SignalTrap.exitCode(for: signal)
            status = .interrupted
        }
        let done = mine.filter { $0.1 == RunStatus.succeeded.rawValue }.count
        let summary =
            "worker \(workerID): \(mine.count) claims, \(done) partitions done by this worker, "
            + "\(mine.count - done) not; range \(from)..\(to) of pipeline \(pipeline)"
            + (status == .succeeded ? " finished" : " not finished")
        console.closing(
            summary: summary, failures: failures, resume: nil, runID: workerID, status: status, exitCode: exitCode)
        return exitCode
    }

    private func notStarted(workerID: String, error: any Error) -> Int32 {
        let runnerError = error as? RunnerError
        if let runnerError, case .invalidPipeline(let diagnostics) = runnerError {
            for diagnostic in diagnostics.diagnostics { console.diagnostic(diagnostic) }
        } else {
            console.error(runnerError?.description ?? "\(error)")
        }
        let exitCode = runnerError?.exitCode ?? 1
        let status: RunStatus = exitCode == 2 ? .invalid : .failed
        console.closing(
            summary: "worker \(workerID): not started; nothing claimed", failures: [], resume: nil, runID: workerID,
            status: status, exitCode: exitCode)
        return exitCode
    }
}

/// Renews one claim's lease on its own connection and thread until `stop()`.
final class ClaimHeartbeat: @unchecked Sendable {
    // `@unchecked`: `stopped` is a thread-safe flag; the rest is written before the thread starts.
    private let stopped = CancellationFlag()
    private let finished = DispatchSemaphore(value: 0)

    init(
        pipeline: String, work: String, partition: PartitionDay, holder: WorkClaims.Holder, interval: Double,
        databaseURL: String?, logger: Logger
    ) {
        let stopped = self.stopped
        let finished = self.finished
        let thread = Thread {
            var connection: PostgresConnection?
            var lost = false
            while stopped.sleep(seconds: interval) {
                do {
                    if connection == nil {
                        connection = try PostgresConnection.connect(
                            url: databaseURL,
                            applicationName: "chainetl worker \(holder.host) pid \(holder.pid) heartbeat",
                            logger: logger)
                    }
                    let held = try WorkClaims.heartbeat(
                        connection!, pipeline: pipeline, work: work, partition: partition, holder: holder)
                    if !held && !lost {
                        lost = true
                        logger.warning(
                            "claim lease lost: another runner took the partition over; the partition lock keeps the work exclusive",
                            metadata: ["partition": "\(partition)"])
                    }
                } catch {
                    logger.warning(
                        "claim heartbeat failed; retrying",
                        metadata: ["partition": "\(partition)", "error": "\(error)"])
                    connection?.close()
                    connection = nil
                }
            }
            connection?.close()
            finished.signal()
        }
        thread.name = "chainetl claim heartbeat"
        thread.start()
    }

    /// Stops the heartbeat and waits for its thread to close its connection.
    func stop() {
        stopped.cancel()
        finished.wait()
    }
}
