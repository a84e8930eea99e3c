import ChainETLCore
import Testing

@testable import ChainETLRunner

@Suite("PartitionLocks naming")
struct PartitionLocksTests {
    @Test func theHolderIsReadBackFromItsApplicationName() {
        let name = PartitionLocks.applicationName(runID: "20261121T030000Z-ab12", pid: 4242)
        #expect(name.utf8.count <= 63)
        #expect(
            PartitionLocks.holder(applicationName: name, backendPID: 777)
                == PartitionLocks.Holder(runID: "20261121T030000Z-ab12", pid: 4242))
    }

    @Test func aForeignSessionIsNamedByItsBackendPID() {
        let holder = PartitionLocks.holder(applicationName: "psql", backendPID: 777)
        #expect(holder == PartitionLocks.Holder(runID: nil, pid: 777))
        let message = PartitionLocks.message(pipeline: "demo", partition: PartitionDay("2026-11-20")!, holder: holder)
        #expect(
            message.hasPrefix("partition 2026-11-20 of pipeline demo is locked by another session (backend pid 777)"))
    }

    @Test func theMessageNamesTheRunAndItsPID() {
        let message = PartitionLocks.message(
            pipeline: "demo", partition: PartitionDay("2026-11-20")!,
            holder: PartitionLocks.Holder(runID: "20261121T030000Z-ab12", pid: 4242))
        #expect(
            message.hasPrefix("partition 2026-11-20 of pipeline demo is locked by run 20261121T030000Z-ab12 (pid 4242)")
        )
    }
}
