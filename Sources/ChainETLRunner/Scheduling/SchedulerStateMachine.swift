import ChainETLCore

/// The runner's scheduling logic as a pure state machine: which unit runs next, when a partition's
/// lock is taken and released, and what a failure blocks. The caller does all I/O.
///
/// - A unit becomes ready when every need that is planned in the same partition succeeded or was
///   skipped; needs outside the plan are read from their existing checkpoints.
/// - A failed unit blocks its planned downstream in that partition only.
/// - A unit of a `dayOrderedStages` stage (the rolling summaries, `DayOrderedKinds`) also waits
///   until the same stage is terminal (done, failed, blocked, ...) in every earlier partition, so
///   a summary as of D never runs before the days it sums.
/// - Two lanes. Units of the `extractStages` (explorer extracts, bounded by the API key rather than
///   the CPU) run in the extract lane, up to `extractJobs` at once; every other action runs in the
///   general lane, up to `jobs` at once. So the next partition's extract starts as soon as the
///   previous one finishes, even while earlier partitions normalize, load and aggregate.
///   `extractJobs` 0 (or no extract stages) folds everything into the general lane.
/// - Earlier partitions are served first, in both lanes. A partition's lock is taken before any of
///   its units runs (extracts included) and released when all are done; at most
///   `jobs + extractJobs` partitions (and partition-lock connections) are open at once.
struct SchedulerStateMachine {
    /// The pool an action's slot is counted against.
    enum Lane: Equatable, Sendable {
        case general
        case extract
    }

    /// What happened to a unit, as reported by the caller.
    enum UnitResult: Equatable, Sendable {
        case succeeded
        case skipped
        case failed
        /// The unit stopped early because the run is stopping.
        case interrupted
    }

    enum UnitState: Equatable, Sendable {
        case waiting
        case running
        case succeeded
        case skipped
        case failed
        /// Not run because this upstream stage failed in the same partition.
        case blocked(by: String)
        /// Not run because another run holds the partition's lock.
        case locked
        /// Stopped, or never started, because the run is stopping (SIGINT/SIGTERM).
        case interrupted

        var isTerminal: Bool {
            switch self {
            case .waiting, .running: return false
            case .succeeded, .skipped, .failed, .blocked, .locked, .interrupted: return true
            }
        }
    }

    enum LockState: Equatable, Sendable {
        case unrequested
        case acquiring
        case held
        case refused
        case releasing
        case released
    }

    /// The next thing the caller should do.
    enum Action: Equatable, Sendable {
        case acquireLock(PartitionDay)
        case execute(WorkUnit)
        case releaseLock(PartitionDay)
        /// Everything possible is in flight: wait for an event.
        case wait
        /// Every unit is in a terminal state and every lock is released.
        case finished
    }

    enum Event: Equatable, Sendable {
        case lockAcquired(PartitionDay)
        case lockRefused(PartitionDay)
        /// The lock could not even be asked for (the database is unreachable): the partition's units fail.
        case lockFailed(PartitionDay)
        case lockReleased(PartitionDay)
        case unitFinished(WorkUnit, UnitResult)
        /// Stop: no unit or partition starts any more; what is in flight finishes, and the held
        /// partitions' locks are released. Answers no action.
        case interrupt
    }

    private struct Partition {
        var day: PartitionDay
        /// Planned stage ids in topological order.
        var stages: [String]
        var states: [String: UnitState]
        var lock: LockState

        var isComplete: Bool { states.values.allSatisfy(\.isTerminal) }
    }

    private var partitions: [Partition]
    /// `needs` of every stage of the pipeline, planned or not.
    private let needs: [String: [String]]
    private let jobs: Int
    /// Stages whose units run in partition order.
    private let dayOrderedStages: Set<String>
    /// Stages that run in the extract lane (empty when the lane is off).
    private let extractStages: Set<String>
    /// The extract lane's width (0 when it is off).
    let extractJobs: Int
    /// Actions in flight, in both lanes.
    private(set) var inFlight = 0
    /// Actions in flight that are counted against the extract lane.
    private(set) var extractInFlight = 0
    /// The lane each in-flight lock action was counted against.
    private var lockLanes: [PartitionDay: Lane] = [:]
    /// The most actions that were in flight at once (for tests and the report).
    private(set) var peakInFlight = 0
    /// The most actions that were in flight at once in each lane.
    private(set) var peakGeneralInFlight = 0
    private(set) var peakExtractInFlight = 0
    /// The most partitions open (lock acquiring, held or releasing) at once.
    private(set) var peakOpenPartitions = 0

    /// - Parameters:
    ///   - plan: per partition, in run order, the stage ids to run in topological order.
    ///   - needs: every stage's dependencies.
    ///   - jobs: the bound on actions in flight in the general lane (at least 1).
    ///   - locking: when false (tests without a database) partitions start out held and are never released.
    ///   - extractStages: the stage ids that run in the extract lane.
    ///   - extractJobs: the extract lane's width; 0 runs the extract stages in the general lane.
    ///   - dayOrderedStages: the stage ids whose units wait for the same stage in earlier partitions.
    init(
        plan: [(partition: PartitionDay, stages: [String])], needs: [String: [String]], jobs: Int, locking: Bool,
        extractStages: Set<String> = [], extractJobs: Int = 0, dayOrderedStages: Set<String> = []
    ) {
        self.needs = needs
        self.dayOrderedStages = dayOrderedStages
        self.jobs = max(1, jobs)
        let lanePlanned = plan.contains { entry in entry.stages.contains { extractStages.contains($0) } }
        self.extractJobs = lanePlanned ? max(0, extractJobs) : 0
        self.extractStages = self.extractJobs > 0 ? extractStages : []
        self.partitions = plan.map { entry in
            Partition(
                day: entry.partition,
                stages: entry.stages,
                states: Dictionary(uniqueKeysWithValues: entry.stages.map { ($0, UnitState.waiting) }),
                lock: entry.stages.isEmpty ? .released : (locking ? .unrequested : .held)
            )
        }
        self.locking = locking
    }

    private let locking: Bool

    /// The state of one unit, or nil when it is not planned.
    func state(of unit: WorkUnit) -> UnitState? {
        partitions.first { $0.day == unit.partition }?.states[unit.stageID]
    }

    func lockState(of day: PartitionDay) -> LockState? {
        partitions.first { $0.day == day }?.lock
    }

    /// Every planned unit with its state, in plan order.
    var units: [(unit: WorkUnit, state: UnitState)] {
        partitions.flatMap { partition in
            partition.stages.map { (WorkUnit(partition: partition.day, stageID: $0), partition.states[$0]!) }
        }
    }

    /// How many actions may be in flight at once over both lanes (the worker threads needed).
    var capacity: Int { jobs + extractJobs }

    /// Partitions whose lock is being acquired, is held, or is being released.
    var openPartitions: Int {
        partitions.reduce(0) { count, partition in
            switch partition.lock {
            case .acquiring, .releasing: return count + 1
            case .held: return count + (locking ? 1 : 0)
            case .unrequested, .refused, .released: return count
            }
        }
    }

    /// The lane a unit of `stageID` runs in.
    func lane(of stageID: String) -> Lane {
        extractStages.contains(stageID) ? .extract : .general
    }

    /// Picks the next action and marks it in flight.
    mutating func next() -> Action {
        if isFinished { return .finished }
        let generalFree = inFlight - extractInFlight < jobs
        let extractFree = extractInFlight < extractJobs
        guard generalFree || extractFree else { return .wait }
        let spareLane: Lane = generalFree ? .general : .extract

        // Finish what is open before opening more: release completed partitions, then run ready
        // units of held partitions in partition order, then open the next partition.
        for index in partitions.indices where partitions[index].lock == .held && partitions[index].isComplete && locking
        {
            partitions[index].lock = .releasing
            lockLanes[partitions[index].day] = spareLane
            return start(.releaseLock(partitions[index].day), lane: spareLane)
        }
        for index in partitions.indices where partitions[index].lock == .held {
            let ready = readyStage(in: partitions[index]) { stage in
                lane(of: stage) == .extract ? extractFree : generalFree
            }
            if let stage = ready {
                partitions[index].states[stage] = .running
                return start(
                    .execute(WorkUnit(partition: partitions[index].day, stageID: stage)), lane: lane(of: stage))
            }
        }
        guard openPartitions < capacity, let index = partitions.firstIndex(where: { $0.lock == .unrequested })
        else { return .wait }
        // The extract lane opens a partition only for its extracts; the general lane opens any.
        let hasExtracts = partitions[index].stages.contains { extractStages.contains($0) }
        let openingLane: Lane
        if extractFree && hasExtracts {
            openingLane = .extract
        } else if generalFree {
            openingLane = .general
        } else {
            return .wait
        }
        partitions[index].lock = .acquiring
        lockLanes[partitions[index].day] = openingLane
        return start(.acquireLock(partitions[index].day), lane: openingLane)
    }

    /// Applies what the caller observed; the action it answers is no longer in flight.
    mutating func event(_ event: Event) {
        switch event {
        case .interrupt:
            for index in partitions.indices {
                for stage in partitions[index].stages where partitions[index].states[stage] == .waiting {
                    partitions[index].states[stage] = .interrupted
                }
                // A partition whose lock was never asked for has nothing to release.
                if partitions[index].lock == .unrequested { partitions[index].lock = .released }
            }
            return
        case .lockAcquired(let day):
            if lockLanes.removeValue(forKey: day) == .extract { extractInFlight -= 1 }
            update(day) { partition in
                precondition(partition.lock == .acquiring, "lock acquired for \(day) that was not being acquired")
                partition.lock = .held
            }
        case .lockRefused(let day):
            if lockLanes.removeValue(forKey: day) == .extract { extractInFlight -= 1 }
            update(day) { partition in
                precondition(partition.lock == .acquiring, "lock refused for \(day) that was not being acquired")
                partition.lock = .refused
                for stage in partition.stages { partition.states[stage] = .locked }
            }
        case .lockFailed(let day):
            if lockLanes.removeValue(forKey: day) == .extract { extractInFlight -= 1 }
            update(day) { partition in
                precondition(partition.lock == .acquiring, "lock failed for \(day) that was not being acquired")
                partition.lock = .refused
                for stage in partition.stages { partition.states[stage] = .failed }
            }
        case .lockReleased(let day):
            if lockLanes.removeValue(forKey: day) == .extract { extractInFlight -= 1 }
            update(day) { partition in
                precondition(partition.lock == .releasing, "lock released for \(day) that was not being released")
                partition.lock = .released
            }
        case .unitFinished(let unit, let result):
            if lane(of: unit.stageID) == .extract { extractInFlight -= 1 }
            let needs = self.needs
            update(unit.partition) { partition in
                precondition(partition.states[unit.stageID] == .running, "\(unit) finished but was not running")
                switch result {
                case .succeeded: partition.states[unit.stageID] = .succeeded
                case .skipped: partition.states[unit.stageID] = .skipped
                case .failed:
                    partition.states[unit.stageID] = .failed
                    Self.block(downstreamOf: unit.stageID, in: &partition, needs: needs)
                case .interrupted:
                    // Its downstream can never become ready: it is interrupted too (the
                    // `.interrupt` event may not have arrived yet).
                    partition.states[unit.stageID] = .interrupted
                    for stage in partition.stages where partition.states[stage] == .waiting {
                        partition.states[stage] = .interrupted
                    }
                }
            }
        }
        inFlight -= 1
    }

    var isFinished: Bool {
        inFlight == 0
            && partitions.allSatisfy { partition in
                partition.isComplete
                    && (partition.lock == .released || partition.lock == .refused
                        || (!locking && partition.lock == .held))
            }
    }

    private mutating func start(_ action: Action, lane: Lane) -> Action {
        inFlight += 1
        if lane == .extract { extractInFlight += 1 }
        peakInFlight = max(peakInFlight, inFlight)
        peakGeneralInFlight = max(peakGeneralInFlight, inFlight - extractInFlight)
        peakExtractInFlight = max(peakExtractInFlight, extractInFlight)
        peakOpenPartitions = max(peakOpenPartitions, openPartitions)
        return action
    }

    private mutating func update(_ day: PartitionDay, _ body: (inout Partition) -> Void) {
        guard let index = partitions.firstIndex(where: { $0.day == day }) else {
            preconditionFailure("event for partition \(day) that is not planned")
        }
        body(&partitions[index])
    }

    /// The first waiting stage of `partition` whose needs are met and whose lane `admits`.
    private func readyStage(in partition: Partition, admits: (String) -> Bool) -> String? {
        partition.stages.first { stage in
            guard partition.states[stage] == .waiting, admits(stage) else { return false }
            if dayOrderedStages.contains(stage) {
                // Partitions are in run order, oldest first.
                for earlier in partitions where earlier.day < partition.day {
                    if let state = earlier.states[stage], !state.isTerminal { return false }
                }
            }
            return (needs[stage] ?? []).allSatisfy { need in
                switch partition.states[need] {
                case nil, .succeeded?, .skipped?: return true
                default: return false
                }
            }
        }
    }

    /// Marks every planned, still-waiting stage downstream of `failed` as blocked by it.
    private static func block(downstreamOf failed: String, in partition: inout Partition, needs: [String: [String]]) {
        var blockedBy: [String: String] = [failed: failed]
        // Stages are in topological order, so one pass sees every upstream before its downstream.
        for stage in partition.stages where partition.states[stage] == .waiting {
            if let culprit = (needs[stage] ?? []).lazy.compactMap({ blockedBy[$0] }).first {
                partition.states[stage] = .blocked(by: culprit)
                blockedBy[stage] = culprit
            }
        }
    }
}
