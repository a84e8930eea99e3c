import ChainETLCore
import Testing

@testable import ChainETLRunner

@Suite("SchedulerStateMachine extract lane")
struct SchedulerExtractLaneTests {
    typealias Machine = SchedulerStateMachine
    let day1 = PartitionDay("2026-11-20")!
    let day2 = PartitionDay("2026-11-21")!
    let day3 = PartitionDay("2026-11-22")!

    /// Two explorer extracts `x` and `y`, then normalize `n` (needs both), load `l`, aggregate `g`.
    let needs: [String: [String]] = ["x": [], "y": [], "n": ["x", "y"], "l": ["n"], "g": ["l"]]
    let extracts: Set<String> = ["x", "y"]

    private func unit(_ day: PartitionDay, _ stage: String) -> WorkUnit {
        WorkUnit(partition: day, stageID: stage)
    }

    @Test func theNextPartitionsExtractStartsWhileTheEarlierPartitionNormalizes() {
        var machine = Machine(
            plan: [(day1, ["x", "n", "l"]), (day2, ["x", "n", "l"])], needs: needs, jobs: 1, locking: true,
            extractStages: extracts, extractJobs: 1)
        #expect(machine.capacity == 2)
        #expect(machine.next() == .acquireLock(day1))
        // The general lane opens the next partition while the extract lane waits for day 1's lock.
        #expect(machine.next() == .acquireLock(day2))
        #expect(machine.next() == .wait)
        machine.event(.lockAcquired(day1))
        #expect(machine.next() == .execute(unit(day1, "x")))
        machine.event(.lockAcquired(day2))
        // Day 2's extract waits for the lane, not for day 1's downstream.
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(unit(day1, "x"), .succeeded))
        #expect(machine.next() == .execute(unit(day1, "n")))
        #expect(machine.next() == .execute(unit(day2, "x")))
        #expect(machine.next() == .wait)
        #expect(machine.inFlight == 2)
        #expect(machine.extractInFlight == 1)
        machine.event(.unitFinished(unit(day2, "x"), .succeeded))
        // Day 1's normalize still holds the one general slot: day 2's normalize waits.
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(unit(day1, "n"), .succeeded))
        #expect(machine.next() == .execute(unit(day1, "l")))
    }

    @Test func extractsDoNotCountAgainstJobs() {
        var machine = Machine(
            plan: [(day1, ["x", "y", "n"])], needs: needs, jobs: 1, locking: false, extractStages: extracts,
            extractJobs: 2)
        #expect(machine.next() == .execute(unit(day1, "x")))
        #expect(machine.next() == .execute(unit(day1, "y")))
        #expect(machine.next() == .wait)
        #expect(machine.peakExtractInFlight == 2)
        #expect(machine.peakGeneralInFlight == 0)
    }

    @Test func withoutTheLaneExtractsRunInTheJobsLane() {
        var machine = Machine(
            plan: [(day1, ["x", "y", "n"])], needs: needs, jobs: 1, locking: false, extractStages: extracts,
            extractJobs: 0)
        #expect(machine.capacity == 1)
        #expect(machine.next() == .execute(unit(day1, "x")))
        #expect(machine.next() == .wait)
        #expect(machine.extractInFlight == 0)
    }

    @Test func aPlanWithoutExtractsHasNoLane() {
        // `--select n`: no extract is planned, so the lane adds no threads and no open partitions.
        let machine = Machine(
            plan: [(day1, ["n"]), (day2, ["n"])], needs: needs, jobs: 2, locking: true, extractStages: extracts,
            extractJobs: 2)
        #expect(machine.capacity == 2)
        #expect(machine.extractJobs == 0)
    }

    @Test func aFreeExtractLaneNeverRunsGeneralUnits() {
        // Day 2 plans no extract: its normalize takes the general slot, and day 1's must wait for it.
        var machine = Machine(
            plan: [(day1, ["x", "n"]), (day2, ["n"])], needs: needs, jobs: 1, locking: true, extractStages: extracts,
            extractJobs: 1)
        #expect(machine.next() == .acquireLock(day1))
        machine.event(.lockAcquired(day1))
        #expect(machine.next() == .execute(unit(day1, "x")))
        #expect(machine.next() == .acquireLock(day2))
        machine.event(.lockAcquired(day2))
        #expect(machine.next() == .execute(unit(day2, "n")))
        machine.event(.unitFinished(unit(day1, "x"), .succeeded))
        // Day 1's normalize waits for the general lane although the extract lane is free.
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(unit(day2, "n"), .succeeded))
        #expect(machine.next() == .releaseLock(day2))
        machine.event(.lockReleased(day2))
        #expect(machine.next() == .execute(unit(day1, "n")))
    }

    @Test func aFailedExtractBlocksItsPartitionAndFreesTheLane() {
        var machine = Machine(
            plan: [(day1, ["x", "n"]), (day2, ["x", "n"])], needs: needs, jobs: 1, locking: false,
            extractStages: extracts, extractJobs: 1)
        #expect(machine.next() == .execute(unit(day1, "x")))
        machine.event(.unitFinished(unit(day1, "x"), .failed))
        #expect(machine.state(of: unit(day1, "n")) == .blocked(by: "x"))
        #expect(machine.next() == .execute(unit(day2, "x")))
        #expect(machine.extractInFlight == 1)
    }

    @Test(arguments: [(1, 1), (1, 2), (2, 2), (3, 1), (2, 4)])
    func lanesLocksAndNeedsHoldInAnyCompletionOrder(jobs: Int, extractJobs: Int) {
        var generator = SeededGenerator(seed: UInt64(jobs * 31 + extractJobs))
        let days = (0..<5).map { day1.advanced(by: $0) }
        let stages = ["x", "y", "n", "l", "g"]
        var machine = Machine(
            plan: days.map { ($0, stages) }, needs: needs, jobs: jobs, locking: true, extractStages: extracts,
            extractJobs: extractJobs)
        var inFlight: [Machine.Action] = []
        var completed: Set<WorkUnit> = []
        var held: Set<PartitionDay> = []
        var violations: [String] = []
        var steps = 0
        while !machine.isFinished && steps < 10_000 {
            steps += 1
            let action = machine.next()
            switch action {
            case .execute(let unit):
                if !held.contains(unit.partition) { violations.append("\(unit) ran without its lock") }
                for need in needs[unit.stageID]!
                where !completed.contains(WorkUnit(partition: unit.partition, stageID: need)) {
                    violations.append("\(unit) started before \(need)")
                }
            default: break
            }
            switch action {
            case .wait, .finished:
                guard !inFlight.isEmpty else { break }
                let index = Int.random(in: 0..<inFlight.count, using: &generator)
                switch inFlight.remove(at: index) {
                case .acquireLock(let day):
                    held.insert(day)
                    machine.event(.lockAcquired(day))
                case .execute(let unit):
                    completed.insert(unit)
                    machine.event(.unitFinished(unit, .succeeded))
                case .releaseLock(let day):
                    held.remove(day)
                    machine.event(.lockReleased(day))
                default: break
                }
            default:
                inFlight.append(action)
                let extractUnits = inFlight.filter {
                    if case .execute(let unit) = $0 { return extracts.contains(unit.stageID) }
                    return false
                }
                let generalUnits = inFlight.filter {
                    if case .execute(let unit) = $0 { return !extracts.contains(unit.stageID) }
                    return false
                }
                if extractUnits.count > extractJobs { violations.append("\(extractUnits.count) extracts at once") }
                if generalUnits.count > jobs { violations.append("\(generalUnits.count) general units at once") }
                if inFlight.count > jobs + extractJobs { violations.append("\(inFlight.count) actions at once") }
            }
        }
        #expect(machine.isFinished)
        #expect(violations.isEmpty)
        #expect(completed.count == days.count * stages.count)
        #expect(machine.peakOpenPartitions <= jobs + extractJobs)
        #expect(machine.peakExtractInFlight <= extractJobs)
        #expect(machine.peakGeneralInFlight <= jobs)
        #expect(held.isEmpty)
    }
}
