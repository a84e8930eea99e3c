import ChainETLCore
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("WorkerPool")
struct WorkerPoolTests {
    /// Counts how many handlers run at once and the order units finished in.
    final class Probe: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var peak = 0
        private(set) var finished: [WorkUnit] = []

        func enter() {
            lock.lock()
            running += 1
            peak = max(peak, running)
            lock.unlock()
        }

        func leave(_ unit: WorkUnit?) {
            lock.lock()
            running -= 1
            if let unit { finished.append(unit) }
            lock.unlock()
        }
    }

    @Test(arguments: [1, 2, 4])
    func runsOnThreadsWithinTheJobsBound(jobs: Int) {
        let days = (0..<4).map { PartitionDay("2026-11-01")!.advanced(by: $0) }
        let needs: [String: [String]] = ["extract": [], "normalize": ["extract"], "load": ["normalize"], "other": []]
        let machine = SchedulerStateMachine(
            plan: days.map { ($0, ["extract", "normalize", "load", "other"]) }, needs: needs, jobs: jobs, locking: true)
        let probe = Probe()
        let pool = WorkerPool(
            machine: machine, threads: jobs,
            handlers: .init(
                acquireLock: { _ in
                    probe.enter()
                    probe.leave(nil)
                    return .acquired
                },
                execute: { unit in
                    probe.enter()
                    Thread.sleep(forTimeInterval: 0.01)
                    probe.leave(unit)
                    return unit.stageID == "normalize" && unit.partition == days[1] ? .failed : .succeeded
                },
                releaseLock: { _ in }))
        let final = pool.run()
        #expect(final.isFinished)
        #expect(probe.peak <= jobs)
        if jobs > 1 { #expect(probe.peak > 1) }
        for day in days {
            let order = probe.finished.filter { $0.partition == day }.map(\.stageID)
            if let extract = order.firstIndex(of: "extract"), let normalize = order.firstIndex(of: "normalize") {
                #expect(extract < normalize)
            }
        }
        #expect(final.state(of: WorkUnit(partition: days[1], stageID: "load")) == .blocked(by: "normalize"))
        #expect(final.state(of: WorkUnit(partition: days[2], stageID: "load")) == .succeeded)
        #expect(probe.finished.count == 15)
    }
}
