import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

/// The advisory lock of each open partition, each held on its own connection for as long as the
/// partition runs, so a crashed runner's locks vanish with its sessions.
final class PartitionLocks: @unchecked Sendable {
    /// Who holds a partition another run is working on.
    struct Holder: Sendable, Equatable {
        var runID: String?
        var pid: Int?
    }

    private let lock = NSLock()
    private var connections: [PartitionDay: PostgresConnection] = [:]
    private var refusals: [PartitionDay: Holder] = [:]
    private let pipeline: String
    private let runID: String
    private let databaseURL: String?
    private let logger: Logger

    init(pipeline: String, runID: String, databaseURL: String?, logger: Logger) {
        self.pipeline = pipeline
        self.runID = runID
        self.databaseURL = databaseURL
        self.logger = logger
    }

    /// The `application_name` of this run's lock sessions: how another run names the holder.
    static func applicationName(runID: String, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> String {
        "chainetl run \(runID) pid \(pid)"
    }

    /// Reads a holder back from an `application_name` written by `applicationName(runID:pid:)`.
    static func holder(applicationName: String?, backendPID: Int?) -> Holder {
        let words = applicationName?.split(separator: " ").map(String.init) ?? []
        if words.count == 5, words[0] == "chainetl", words[1] == "run", words[3] == "pid", let pid = Int(words[4]) {
            return Holder(runID: words[2], pid: pid)
        }
        return Holder(runID: nil, pid: backendPID)
    }

    /// Takes the partition's lock; false (and the holder remembered) when another run has it.
    func acquire(_ day: PartitionDay) throws -> Bool {
        let connection = try PostgresConnection.connect(
            url: databaseURL, applicationName: Self.applicationName(runID: runID), logger: logger)
        let result: LockResult
        do {
            result = try PartitionLock.tryAcquire(connection, pipeline: pipeline, partition: day.description)
        } catch {
            connection.close()
            throw error
        }
        lock.lock()
        defer { lock.unlock() }
        switch result {
        case .acquired:
            connections[day] = connection
            return true
        case .heldBy(let applicationName, let pid):
            connection.close()
            refusals[day] = Self.holder(applicationName: applicationName, backendPID: pid)
            return false
        }
    }

    /// Releases the lock by closing its session (which also releases it if the unlock fails).
    func release(_ day: PartitionDay) {
        lock.lock()
        let connection = connections.removeValue(forKey: day)
        lock.unlock()
        guard let connection else { return }
        do {
            try PartitionLock.release(connection, pipeline: pipeline, partition: day.description)
        } catch {
            logger.warning(
                "partition unlock failed; closing its session releases it",
                metadata: ["partition": "\(day)", "error": "\(error)"])
        }
        connection.close()
    }

    /// The holder of each partition this run could not lock.
    var refused: [PartitionDay: Holder] {
        lock.lock()
        defer { lock.unlock() }
        return refusals
    }

    /// "partition 2026-11-20 of pipeline demo is locked by run <id> (pid N)".
    static func message(pipeline: String, partition: PartitionDay, holder: Holder) -> String {
        var text = "partition \(partition) of pipeline \(pipeline) is locked by "
        text += holder.runID.map { "run \($0)" } ?? "another session"
        if let pid = holder.pid { text += holder.runID == nil ? " (backend pid \(pid))" : " (pid \(pid))" }
        return text + "; wait for it to finish, then run again"
    }
}
