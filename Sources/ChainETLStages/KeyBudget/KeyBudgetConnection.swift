import ChainETLPostgres
import Foundation

/// The one connection of a key-budget store (`PostgresQuotaStore`, `PostgresRateBudget`): opened
/// on first use, used under a lock (every worker thread of the process counts through the same
/// store, and a libpq connection must never be used by two threads at once), reopened once when
/// it was lost. A borrowed connection belongs to the caller: never closed nor replaced here.
final class KeyBudgetConnection: @unchecked Sendable {
    // `@unchecked`: `connection` is only touched under `lock`.
    private let lock = NSLock()
    private let connect: () throws -> PostgresConnection
    private var connection: PostgresConnection?
    private let borrowed: Bool

    init(connect: @escaping () throws -> PostgresConnection) {
        self.connect = connect
        self.borrowed = false
    }

    init(borrowing connection: PostgresConnection) {
        self.connect = { connection }
        self.connection = connection
        self.borrowed = true
    }

    deinit {
        if !borrowed { connection?.close() }
    }

    /// Runs `query`, reconnecting once if the connection was lost (not a borrowed one).
    func execute(_ query: SQLQuery) throws -> PostgresRows {
        try lock.withLock {
            do {
                return try openConnection().execute(query)
            } catch PostgresError.connectionLost where !borrowed {
                connection?.close()
                connection = nil
                return try openConnection().execute(query)
            }
        }
    }

    /// Closes the connection; the next query opens a new one (a borrowed one is left to its owner).
    func close() {
        lock.withLock {
            guard !borrowed else { return }
            connection?.close()
            connection = nil
        }
    }

    private func openConnection() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let opened = try connect()
        connection = opened
        return opened
    }
}
