import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Extract: the ordered walk pool writes lines in task order")
struct ExtractOrderedWalkPoolTests {
    /// Lines received by the output, and the thread-safety the pool promises (one writer at a time).
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        private var writing = 0
        private(set) var overlapped = false

        func write(_ line: JSONLineWriter) {
            lock.withLock {
                writing += 1
                if writing > 1 { overlapped = true }
            }
            let text = String(decoding: line.bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
            lock.withLock {
                stored.append(text)
                writing -= 1
            }
        }

        var lines: [String] { lock.withLock { stored } }
    }

    /// Tasks that finish in an order set by the test: `finished(i)` and `waitFor(i)`.
    final class Gates: @unchecked Sendable {
        private let condition = NSCondition()
        private var done: Set<Int> = []

        func finished(_ task: Int) {
            condition.lock()
            done.insert(task)
            condition.broadcast()
            condition.unlock()
        }

        func isFinished(_ task: Int) -> Bool {
            condition.withLock { done.contains(task) }
        }

        /// Waits (up to 30 s, so a bug fails instead of hanging) until `task` finished.
        func waitFor(_ task: Int) {
            condition.lock()
            let deadline = Date().addingTimeInterval(30)
            while !done.contains(task) && condition.wait(until: deadline) {}
            condition.unlock()
        }
    }

    static func line(_ text: String) -> JSONLineWriter {
        var writer = JSONLineWriter()
        writer.string(text)
        writer.newline()
        return writer
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-pool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func tasksFinishingInReverseProduceLinesInTaskOrder() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = Output()
        let gates = Gates()
        let count = 5
        let pool = OrderedWalkPool(threads: count, spillDirectory: directory, output: output.write)
        let works: [OrderedWalkPool.Work] = (0..<count).map { index in
            { task in
                try task.write(Self.line("\(index)-a"))
                // Each task waits for the next one to finish: the last finishes first.
                if index + 1 < count { gates.waitFor(index + 1) }
                try task.write(Self.line("\(index)-b"))
                // Spill files are unlinked at once: the directory never shows them.
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
                gates.finished(index)
            }
        }
        try pool.run(works)
        let expected = (0..<count).flatMap { ["\"\($0)-a\"", "\"\($0)-b\""] }
        #expect(output.lines == expected)
        #expect(!output.overlapped)
        #expect(pool.linesSpilled > 0, "tasks ahead of the head must have spilled")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func insertedTasksComeRightAfterTheirParent() throws {
        let output = Output()
        let pool = OrderedWalkPool(threads: 3, spillDirectory: nil, output: output.write)
        let works: [OrderedWalkPool.Work] = (0..<3).map { index in
            { task in
                try task.write(Self.line("\(index)"))
                if index == 0 {
                    task.insertAfter(
                        ["x", "y"].map { name in { sub in try sub.write(Self.line("0.\(name)")) } })
                }
                try task.write(Self.line("\(index)!"))
            }
        }
        try pool.run(works)
        #expect(output.lines == ["\"0\"", "\"0!\"", "\"0.x\"", "\"0.y\"", "\"1\"", "\"1!\"", "\"2\"", "\"2!\""])
    }

    struct Boom: Error, Equatable {}

    @Test func theFirstErrorCancelsTheRestAndIsThrown() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = Output()
        let gates = Gates()
        let pool = OrderedWalkPool(threads: 2, spillDirectory: directory, output: output.write)
        var works: [OrderedWalkPool.Work] = [
            { task in
                try task.write(Self.line("head"))
                gates.finished(0)
                gates.waitFor(1)  // task 1 is failing
                // Lines are refused once the failure is recorded (a bug would loop until the deadline).
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    try task.write(Self.line("late"))
                }
                Issue.record("the pool never cancelled the head task")
            },
            { task in
                try task.write(Self.line("spilled"))
                // Fail only after the head wrote its line: on a loaded machine this thread may
                // otherwise fail before the head task's thread has run at all.
                gates.waitFor(0)
                gates.finished(1)
                throw Boom()
            },
        ]
        let ran = Output()
        for index in 2..<10 {
            works.append { task in
                ran.write(Self.line("\(index)"))
                try task.write(Self.line("\(index)"))
            }
        }
        #expect(throws: Boom.self) { try pool.run(works) }
        let lines = output.lines
        #expect(lines.first == "\"head\"")
        #expect(lines.dropFirst().allSatisfy { $0 == "\"late\"" }, "the failed task's spill never reaches the output")
        #expect(ran.lines.isEmpty, "tasks after the failure are not started: \(ran.lines)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func allRunsEveryWorkAtOnceAndKeepsTheResultsInOrder() throws {
        struct Failed: Error, Equatable { let index: Int }
        let gates = Gates()
        // Work i waits for work i + 1, so they end in reverse and only finish if all run at once.
        let works: [@Sendable () throws -> Int] = (0..<4).map { index in
            {
                if index < 3 {
                    gates.waitFor(index + 1)
                    // A work run after the one it waits for would find it unfinished after 30 s.
                    if !gates.isFinished(index + 1) { return -1 }
                }
                gates.finished(index)
                if index == 1 { throw Failed(index: index) }
                return index * 10
            }
        }
        let results = try OrderedWalkPool.all(works)
        #expect(results.count == 4)
        #expect(try results[0].get() == 0)
        #expect(throws: Failed(index: 1)) { try results[1].get() }
        #expect(try results[2].get() == 20)
        #expect(try results[3].get() == 30)
        for index in 0..<4 { gates.waitFor(index) }
    }
}
