import ChainETLCore
import Testing

@testable import ChainETLRunner

/// The `.interrupt` event of the scheduler (SIGINT/SIGTERM): no new unit or partition starts, what
/// is in flight finishes, held locks are released, and the machine finishes.
@Suite("SchedulerStateMachine interrupt")
struct SchedulerInterruptTests {
    let day1 = PartitionDay("2026-11-20")!
    let day2 = PartitionDay("2026-11-21")!
    let needs: [String: [String]] = ["a": [], "b": ["a"], "c": ["b"]]

    @Test func interruptStartsNothingNewAndReleasesTheHeldLock() {
        var machine = SchedulerStateMachine(
            plan: [(day1, ["a", "b", "c"]), (day2, ["a", "b", "c"])], needs: needs, jobs: 1, locking: true)
        #expect(machine.next() == .acquireLock(day1))
        machine.event(.lockAcquired(day1))
        let a = WorkUnit(partition: day1, stageID: "a")
        #expect(machine.next() == .execute(a))

        machine.event(.interrupt)
        #expect(machine.inFlight == 1, "the running unit is still in flight")
        #expect(machine.next() == .wait)
        machine.event(.unitFinished(a, .succeeded))
        #expect(machine.next() == .releaseLock(day1))
        machine.event(.lockReleased(day1))
        #expect(machine.next() == .finished)

        #expect(machine.state(of: a) == .succeeded)
        #expect(machine.state(of: WorkUnit(partition: day1, stageID: "b")) == .interrupted)
        #expect(machine.state(of: WorkUnit(partition: day2, stageID: "a")) == .interrupted)
        #expect(machine.lockState(of: day2) == .released, "never asked for, so nothing to release")
    }

    @Test func anInterruptedUnitInterruptsWhatWaitsEvenBeforeTheInterruptEvent() {
        var machine = SchedulerStateMachine(plan: [(day1, ["a", "b", "c"])], needs: needs, jobs: 2, locking: false)
        let a = WorkUnit(partition: day1, stageID: "a")
        #expect(machine.next() == .execute(a))
        machine.event(.unitFinished(a, .interrupted))
        #expect(machine.next() == .finished)
        #expect(machine.units.map(\.state) == [.interrupted, .interrupted, .interrupted])
    }

    @Test func interruptBeforeAnythingStartedFinishesAtOnce() {
        var machine = SchedulerStateMachine(plan: [(day1, ["a", "b"])], needs: needs, jobs: 2, locking: true)
        machine.event(.interrupt)
        #expect(machine.next() == .finished)
        #expect(machine.units.allSatisfy { $0.state == .interrupted })
    }
}
