import ChainETLCore
import ChainETLExplorers
import Foundation

/// A `QuotaStore` held in memory, for tests (the product counts calls in Postgres: `PostgresQuotaStore`).
public final class InMemoryQuotaStore: QuotaStore, @unchecked Sendable {
    // `@unchecked`: `used` is guarded by `lock`.
    private let lock = NSLock()
    private let limits: [String: Int]
    private var used: [String: Int] = [:]

    /// - Parameter limits: daily limits by fingerprint; keys without one are unlimited.
    public init(limits: [String: Int] = [:]) {
        self.limits = limits
    }

    public func consume(fingerprint: String, day: PartitionDay, calls: Int) throws -> (used: Int, limit: Int?) {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(fingerprint)|\(day)"
        let total = used[key, default: 0] + calls
        used[key] = total
        return (total, limits[fingerprint])
    }

    /// Calls counted for `fingerprint` on `day`.
    public func used(fingerprint: String, day: PartitionDay) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return used["\(fingerprint)|\(day)", default: 0]
    }
}
