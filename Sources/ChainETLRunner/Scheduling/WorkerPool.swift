import ChainETLCore
import Foundation

/// Drives a `SchedulerStateMachine` with a fixed number of worker threads.
///
/// Stages block on libpq, zlib and HTTP, so each action runs on its own OS thread, never on
/// Swift's cooperative pool. The machine is only touched under the condition's lock.
final class WorkerPool: @unchecked Sendable {
    enum LockOutcome: Sendable {
        case acquired
        case refused
        case failed
    }

    /// Performs the I/O for one action and returns what happened.
    struct Handlers: Sendable {
        var acquireLock: @Sendable (PartitionDay) -> LockOutcome
        var execute: @Sendable (WorkUnit) -> SchedulerStateMachine.UnitResult
        var releaseLock: @Sendable (PartitionDay) -> Void
    }

    private let condition = NSCondition()
    private var machine: SchedulerStateMachine
    private let handlers: Handlers
    private let threads: Int

    init(machine: SchedulerStateMachine, threads: Int, handlers: Handlers) {
        self.machine = machine
        self.threads = max(1, threads)
        self.handlers = handlers
    }

    /// Runs every action to completion and returns the final state.
    func run() -> SchedulerStateMachine {
        let done = DispatchGroup()
        for index in 0..<threads {
            done.enter()
            let thread = Thread { [self] in
                work()
                done.leave()
            }
            thread.name = "chainetl-worker-\(index)"
            // Stages may recurse through parsers; give them more than the 512 KiB default.
            thread.stackSize = 4 << 20
            thread.start()
        }
        done.wait()
        condition.lock()
        defer { condition.unlock() }
        return machine
    }

    /// Stops scheduling: no new unit or partition starts; in-flight actions finish, held locks are
    /// released, then `run()` returns. Safe to call from any thread, before or during `run()`.
    func interrupt() {
        condition.lock()
        machine.event(.interrupt)
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            let action = machine.next()
            switch action {
            case .finished:
                condition.broadcast()
                condition.unlock()
                return
            case .wait:
                condition.wait()
                continue
            case .acquireLock(let day):
                condition.unlock()
                let outcome = handlers.acquireLock(day)
                condition.lock()
                switch outcome {
                case .acquired: machine.event(.lockAcquired(day))
                case .refused: machine.event(.lockRefused(day))
                case .failed: machine.event(.lockFailed(day))
                }
            case .execute(let unit):
                condition.unlock()
                let result = handlers.execute(unit)
                condition.lock()
                machine.event(.unitFinished(unit, result))
            case .releaseLock(let day):
                condition.unlock()
                handlers.releaseLock(day)
                condition.lock()
                machine.event(.lockReleased(day))
            }
            condition.broadcast()
        }
    }
}
