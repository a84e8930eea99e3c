import ChainETLCore
import Foundation

/// Runs walk tasks on a few threads while their lines reach the output in task order.
///
/// Tasks form one ordered list (chain, target, block sub-range). Each thread takes the first task
/// not started yet. The *head*, the first task not finished, writes straight to the output; a
/// task ahead of it keeps its lines in a `LineSpill` (an unlinked file in the stage's temporary
/// directory), copied into the output when the task becomes the head (a task that becomes the
/// head mid-walk copies its spill, then writes directly). So the output is the same whatever the
/// number of threads and whichever task finishes first, and memory holds no rows beyond the pages
/// being parsed. Only one thread writes to the output at a time, under the pool's lock.
///
/// A task may insert tasks right after itself (`Task.insertAfter`), e.g. the block sub-ranges of a
/// dense walk. The first error of any task stops the others at their next line (`Cancelled`) and
/// is what `run` throws. Blocking: threads are plain `Thread`s (HTTP and file I/O block).
final class OrderedWalkPool: @unchecked Sendable {
    // `@unchecked`: all mutable state is guarded by `condition`.
    /// Thrown into a task's write once another task failed.
    struct Cancelled: Error, CustomStringConvertible {
        var description: String { "cancelled after another walk failed" }
    }

    /// What a running task can do: write its lines, and queue tasks right after itself.
    struct Task: @unchecked Sendable {
        // `@unchecked`: the pool it points to is thread-safe.
        fileprivate let pool: OrderedWalkPool
        fileprivate let id: Int

        /// Writes one line (with or without its `\n`) in this task's place of the output.
        func write(_ line: JSONLineWriter) throws {
            try pool.write(line, from: id)
        }

        /// Queues `works` right after this task (and before anything queued after it earlier).
        func insertAfter(_ works: [Work]) {
            pool.insert(works, after: id)
        }
    }

    typealias Work = @Sendable (Task) throws -> Void

    private final class Node {
        enum State { case pending, running, done }
        let id: Int
        let work: Work
        var state = State.pending
        var spill: LineSpill?

        init(id: Int, work: @escaping Work) {
            self.id = id
            self.work = work
        }
    }

    private let condition = NSCondition()
    private let threads: Int
    private let spillDirectory: URL?
    private let output: (JSONLineWriter) throws -> Void
    private var order: [Node] = []
    private var head = 0
    private var nextID = 0
    private var running = 0
    private var failure: (any Error)?
    /// The most spill files open at once, and lines spilled (for tests and logs).
    private(set) var spillsPeak = 0
    private var spillsOpen = 0
    private(set) var linesSpilled = 0

    /// - Parameters:
    ///   - threads: tasks run at once (≥ 1).
    ///   - spillDirectory: where the spills of tasks ahead of the head go (the checkpoint's
    ///     temporary directory); nil means the system temporary directory.
    ///   - output: receives every line, in task order, one call at a time.
    init(threads: Int, spillDirectory: URL?, output: @escaping (JSONLineWriter) throws -> Void) {
        self.threads = max(1, threads)
        self.spillDirectory = spillDirectory
        self.output = output
    }

    /// Runs `works` (and the tasks they insert) to the end; throws the first task's error.
    func run(_ works: [Work]) throws {
        condition.lock()
        order = []
        head = 0
        failure = nil
        for work in works { order.append(makeNode(work)) }
        condition.unlock()

        let done = DispatchGroup()
        for index in 0..<threads {
            done.enter()
            let thread = Thread { [self] in
                drain()
                done.leave()
            }
            thread.name = "chainetl-walk-\(index)"
            thread.start()
        }
        done.wait()

        condition.lock()
        defer { condition.unlock() }
        for node in order { node.spill = nil }
        spillsOpen = 0
        if let failure { throw failure }
    }

    // MARK: - Threads

    private func drain() {
        condition.lock()
        while true {
            if failure != nil { break }
            if let node = order[head...].first(where: { $0.state == .pending }) {
                node.state = .running
                running += 1
                condition.unlock()
                var thrown: (any Error)?
                do {
                    try node.work(Task(pool: self, id: node.id))
                } catch {
                    thrown = error
                }
                condition.lock()
                running -= 1
                if let thrown {
                    // A `Cancelled` only follows a failure already kept: the first error wins.
                    if failure == nil { failure = thrown }
                } else {
                    node.state = .done
                    do {
                        try node.spill?.flush()
                        try advance()
                    } catch {
                        if failure == nil { failure = error }
                    }
                }
                condition.broadcast()
                continue
            }
            if running == 0 { break }
            condition.wait()
        }
        condition.broadcast()
        condition.unlock()
    }

    // MARK: - Under the lock

    private func makeNode(_ work: @escaping Work) -> Node {
        defer { nextID += 1 }
        return Node(id: nextID, work: work)
    }

    private func write(_ line: JSONLineWriter, from id: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        if failure != nil { throw Cancelled() }
        if head < order.count, order[head].id == id {
            try output(line)
            return
        }
        guard let node = order[head...].first(where: { $0.id == id }) else { throw Cancelled() }
        if node.spill == nil {
            node.spill = try LineSpill(directory: spillDirectory)
            spillsOpen += 1
            spillsPeak = max(spillsPeak, spillsOpen)
        }
        try node.spill!.append(line.bytes)
        linesSpilled += 1
    }

    private func insert(_ works: [Work], after id: Int) {
        condition.lock()
        defer { condition.unlock() }
        guard let index = order.firstIndex(where: { $0.id == id }) else { return }
        order.insert(contentsOf: works.map { makeNode($0) }, at: index + 1)
        condition.broadcast()
    }

    /// Moves the head past finished tasks, copying the spill of each task that becomes the head.
    private func advance() throws {
        var line = JSONLineWriter(capacity: 4096)
        while head < order.count {
            let node = order[head]
            if let spill = node.spill {
                try spill.replay { bytes in
                    line.reset()
                    line.raw(bytes)
                    try output(line)
                }
                node.spill = nil
                spillsOpen -= 1
            }
            guard node.state == .done else { return }
            head += 1
        }
    }
}

extension OrderedWalkPool {
    /// Runs `works` at once, one thread each, and returns each one's result in `works` order; a
    /// work that throws does not stop the others. For a few independent blocking calls, such as a
    /// chain's head and day boundaries, or the phase 1 of every chain of a stage.
    static func all<Value>(_ works: [@Sendable () throws -> Value]) throws -> [Result<Value, any Error>] {
        if works.count <= 1 { return works.map { Result(catching: $0) } }
        let slots = ResultSlots<Value>(count: works.count)
        let pool = OrderedWalkPool(threads: works.count, spillDirectory: nil, output: { _ in })
        try pool.run(
            works.enumerated().map { index, work in
                { _ in slots.set(index, Result(catching: work)) }
            })
        return try slots.values()
    }
}

/// The results of `OrderedWalkPool.all`, filled in by its threads.
private final class ResultSlots<Value>: @unchecked Sendable {
    // `@unchecked`: `slots` is guarded by `lock`.
    private let lock = NSLock()
    private var slots: [Result<Value, any Error>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<Value, any Error>) {
        lock.withLock { slots[index] = result }
    }

    /// Every slot, once each work has ended.
    func values() throws -> [Result<Value, any Error>] {
        try lock.withLock {
            try slots.map { slot in
                guard let slot else { throw OrderedWalkPool.Cancelled() }
                return slot
            }
        }
    }
}
