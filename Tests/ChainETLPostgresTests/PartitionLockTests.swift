import Foundation
import Testing

@testable import ChainETLPostgres

@Suite("PartitionLock against the real server")
struct PartitionLockTests {
    @Test func aSecondRunnerSeesWhoHoldsThePartition() throws {
        let pipeline = "lock-test-\(UUID().uuidString)"
        let first = try TestDatabase.connect(applicationName: "chainetl run-first")
        defer { first.close() }
        let second = try TestDatabase.connect(applicationName: "chainetl run-second")
        defer { second.close() }

        #expect(try PartitionLock.tryAcquire(first, pipeline: pipeline, partition: "2026-11-20") == .acquired)
        #expect(
            try PartitionLock.tryAcquire(second, pipeline: pipeline, partition: "2026-11-20")
                == .heldBy(applicationName: "chainetl run-first", pid: first.backendPID))
        #expect(try PartitionLock.tryAcquire(second, pipeline: pipeline, partition: "2026-11-21") == .acquired)
        #expect(
            try PartitionLock.tryAcquire(second, pipeline: pipeline + "-other", partition: "2026-11-20") == .acquired)

        #expect(try PartitionLock.release(first, pipeline: pipeline, partition: "2026-11-20"))
        #expect(try !PartitionLock.release(first, pipeline: pipeline, partition: "2026-11-20"))
        #expect(try PartitionLock.tryAcquire(second, pipeline: pipeline, partition: "2026-11-20") == .acquired)
        #expect(
            try PartitionLock.tryAcquire(first, pipeline: pipeline, partition: "2026-11-20")
                == .heldBy(applicationName: "chainetl run-second", pid: second.backendPID))
    }

    @Test func closingTheSessionReleasesItsLocks() throws {
        let pipeline = "lock-test-\(UUID().uuidString)"
        let first = try TestDatabase.connect(applicationName: "chainetl run-crashed")
        #expect(try PartitionLock.tryAcquire(first, pipeline: pipeline, partition: "2026-11-20") == .acquired)
        first.close()
        let second = try TestDatabase.connect(applicationName: "chainetl run-next")
        defer { second.close() }
        // The server notices the closed session asynchronously; poll briefly.
        var result = try PartitionLock.tryAcquire(second, pipeline: pipeline, partition: "2026-11-20")
        for _ in 0..<50 where result != .acquired {
            Thread.sleep(forTimeInterval: 0.05)
            result = try PartitionLock.tryAcquire(second, pipeline: pipeline, partition: "2026-11-20")
        }
        #expect(result == .acquired)
    }
}
