import ChainETLCore
import Testing

@testable import ChainETLRunner

@Suite("SchedulerStateMachine")
struct SchedulerStateMachineTests {
    typealias Machine = SchedulerStateMachine
    let day1 = PartitionDay("2026-11-20")!
    let day2 = PartitionDay("2026-11-21")!

    /// a -> b -> c, and d independent.
    let needs: [String: [String]] = ["a": [], "b": ["a"], "c": ["b"], "d": []]

    @Test func runsAChainInDependencyOrder() {
        var machine = Machine(plan: [(day1, ["a", "b", "c"])], needs: needs, jobs: 4, locking: false)
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "a")))
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "a"), .succeeded))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "b")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "b"), .skipped))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "c")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "c"), .succeeded))
        #expect(machine.next() == .finished)
    }

    @Test func runsIndependentStagesTogetherUpToJobs() {
        var machine = Machine(plan: [(day1, ["a", "d"]), (day2, ["a", "d"])], needs: needs, jobs: 3, locking: false)
        let first = [machine.next(), machine.next(), machine.next()]
        #expect(
            first == [
                .execute(WorkUnit(partition: day1, stageID: "a")), .execute(WorkUnit(partition: day1, stageID: "d")),
                .execute(WorkUnit(partition: day2, stageID: "a")),
            ])
        #expect(machine.next() == .wait)
        #expect(machine.inFlight == 3)
    }

    @Test func aDayOrderedStageWaitsForTheSameStageInEarlierPartitions() {
        // b is day-ordered: day2's b waits for day1's b even when day2's a finished first; other
        // stages of day2 still run ahead, and a failed earlier b releases the later one.
        var machine = Machine(
            plan: [(day1, ["a", "b"]), (day2, ["a", "b", "d"])], needs: needs, jobs: 4, locking: false,
            dayOrderedStages: ["b"])
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "a")))
        #expect(machine.next() == .execute(WorkUnit(partition: day2, stageID: "a")))
        #expect(machine.next() == .execute(WorkUnit(partition: day2, stageID: "d")))
        machine.event(.unitFinished(WorkUnit(partition: day2, stageID: "a"), .succeeded))
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "a"), .succeeded))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "b")))
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "b"), .failed))
        #expect(machine.next() == .execute(WorkUnit(partition: day2, stageID: "b")))
    }

    @Test func failureBlocksDownstreamInItsPartitionOnly() {
        var machine = Machine(
            plan: [(day1, ["a", "b", "c", "d"]), (day2, ["a", "b", "c", "d"])], needs: needs, jobs: 1, locking: false)
        var executed: [WorkUnit] = []
        while case .execute(let unit) = machine.next() {
            executed.append(unit)
            let fails = unit == WorkUnit(partition: day1, stageID: "a")
            machine.event(.unitFinished(unit, fails ? .failed : .succeeded))
        }
        #expect(machine.isFinished)
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "b")) == .blocked(by: "a"))
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "c")) == .blocked(by: "a"))
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "d")) == .succeeded)
        #expect(machine.state(of: WorkUnit(partition: day2, stageID: "c")) == .succeeded)
        #expect(!executed.contains(WorkUnit(partition: day1, stageID: "b")))
        #expect(executed.count == 6)
    }

    @Test func diamondBlocksOnlyWhatDependsOnTheFailure() {
        let diamond: [String: [String]] = ["top": [], "left": ["top"], "right": ["top"], "bottom": ["left", "right"]]
        var machine = Machine(
            plan: [(day1, ["top", "left", "right", "bottom"])], needs: diamond, jobs: 2, locking: false)
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "top")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "top"), .succeeded))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "left")))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "right")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "left"), .failed))
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "bottom")) == .blocked(by: "left"))
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "right"), .succeeded))
        #expect(machine.next() == .finished)
    }

    @Test func needsOutsideThePlanAreSatisfiedByExistingCheckpoints() {
        // `--select c`: b is not planned, so c is ready at once.
        var machine = Machine(plan: [(day1, ["c"])], needs: needs, jobs: 1, locking: false)
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "c")))
    }

    @Test func locksAPartitionBeforeItsUnitsAndReleasesItAfter() {
        var machine = Machine(plan: [(day1, ["a", "b"])], needs: needs, jobs: 2, locking: true)
        #expect(machine.next() == .acquireLock(day1))
        #expect(machine.next() == .wait)
        machine.event(.lockAcquired(day1))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "a")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "a"), .succeeded))
        #expect(machine.next() == .execute(WorkUnit(partition: day1, stageID: "b")))
        machine.event(.unitFinished(WorkUnit(partition: day1, stageID: "b"), .succeeded))
        #expect(machine.next() == .releaseLock(day1))
        #expect(!machine.isFinished)
        machine.event(.lockReleased(day1))
        #expect(machine.next() == .finished)
    }

    @Test func aRefusedLockMarksThePartitionLockedAndOthersStillRun() {
        var machine = Machine(plan: [(day1, ["a"]), (day2, ["a"])], needs: needs, jobs: 2, locking: true)
        #expect(machine.next() == .acquireLock(day1))
        #expect(machine.next() == .acquireLock(day2))
        machine.event(.lockRefused(day1))
        machine.event(.lockAcquired(day2))
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "a")) == .locked)
        #expect(machine.next() == .execute(WorkUnit(partition: day2, stageID: "a")))
        machine.event(.unitFinished(WorkUnit(partition: day2, stageID: "a"), .succeeded))
        #expect(machine.next() == .releaseLock(day2))
        machine.event(.lockReleased(day2))
        #expect(machine.next() == .finished)
        #expect(machine.lockState(of: day1) == .refused)
    }

    @Test func aFailedLockFailsThePartitionsUnits() {
        var machine = Machine(plan: [(day1, ["a", "b"])], needs: needs, jobs: 1, locking: true)
        #expect(machine.next() == .acquireLock(day1))
        machine.event(.lockFailed(day1))
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "b")) == .failed)
        #expect(machine.next() == .finished)
    }

    @Test func finishesOpenPartitionsBeforeOpeningMore() {
        // With jobs = 2 and a chain per partition, at most two partitions may hold a lock at once.
        let days = (0..<6).map { day1.advanced(by: $0) }
        var machine = Machine(plan: days.map { ($0, ["a", "b", "c"]) }, needs: needs, jobs: 2, locking: true)
        var inFlight: [Machine.Action] = []
        var held: Set<PartitionDay> = []
        var peakHeld = 0
        var steps = 0
        while !machine.isFinished && steps < 1_000 {
            steps += 1
            let action = machine.next()
            switch action {
            case .wait, .finished:
                // Complete the oldest action in flight.
                guard !inFlight.isEmpty else { break }
                switch inFlight.removeFirst() {
                case .acquireLock(let day):
                    held.insert(day)
                    peakHeld = max(peakHeld, held.count)
                    machine.event(.lockAcquired(day))
                case .execute(let unit): machine.event(.unitFinished(unit, .succeeded))
                case .releaseLock(let day):
                    held.remove(day)
                    machine.event(.lockReleased(day))
                default: break
                }
            default:
                inFlight.append(action)
            }
        }
        #expect(machine.isFinished)
        #expect(peakHeld <= 2)
        #expect(machine.peakInFlight <= 2)
        #expect(machine.units.allSatisfy { $0.state == .succeeded })
    }

    @Test(arguments: [1, 2, 3, 5])
    func neverExceedsJobsAndRespectsNeedsInAnyCompletionOrder(jobs: Int) {
        var generator = SeededGenerator(seed: UInt64(jobs))
        let days = (0..<4).map { day1.advanced(by: $0) }
        let plan = days.map { ($0, ["a", "b", "c", "d"]) }
        var machine = Machine(plan: plan, needs: needs, jobs: jobs, locking: true)
        var inFlight: [Machine.Action] = []
        var completed: Set<WorkUnit> = []
        var violations: [String] = []
        var steps = 0
        while !machine.isFinished && steps < 10_000 {
            steps += 1
            let action = machine.next()
            if case .execute(let unit) = action {
                for need in needs[unit.stageID]!
                where !completed.contains(WorkUnit(partition: unit.partition, stageID: need)) {
                    violations.append("\(unit) started before \(need)")
                }
            }
            switch action {
            case .wait, .finished:
                guard !inFlight.isEmpty else { break }
                let index = Int.random(in: 0..<inFlight.count, using: &generator)
                switch inFlight.remove(at: index) {
                case .acquireLock(let day): machine.event(.lockAcquired(day))
                case .execute(let unit):
                    completed.insert(unit)
                    machine.event(.unitFinished(unit, .succeeded))
                case .releaseLock(let day): machine.event(.lockReleased(day))
                default: break
                }
            default:
                inFlight.append(action)
                #expect(inFlight.count <= jobs)
            }
        }
        #expect(machine.isFinished)
        #expect(violations.isEmpty)
        #expect(completed.count == 16)
        #expect(machine.peakInFlight <= jobs)
        if jobs > 1 { #expect(machine.peakInFlight > 1) }
    }
}

/// A small deterministic generator (SplitMix64) so shuffled orders are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
