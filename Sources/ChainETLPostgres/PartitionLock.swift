/// The outcome of trying to take a partition lock.
public enum LockResult: Sendable, Equatable {
    /// This connection now holds the lock.
    case acquired
    /// Another session holds it; its `application_name` (the runner's run id) and backend pid,
    /// when it could still be found.
    case heldBy(applicationName: String?, pid: Int?)
}

/// A session-level Postgres advisory lock per (pipeline, partition).
///
/// The two lock keys are `hashtext(pipeline)` and `hashtext(partition)`, computed by the server,
/// so every runner on the cluster agrees. The lock lives as long as the session, or until
/// `release`; it is re-entrant per session (each acquire needs its own release).
public enum PartitionLock {
    /// Takes the lock without waiting, or reports who holds it.
    public static func tryAcquire(_ connection: PostgresConnection, pipeline: String, partition: String) throws
        -> LockResult
    {
        // The holder can release between our attempt and the lookup; then try once more.
        for _ in 0..<2 {
            let rows = try connection.execute(
                SQLQuery("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", [pipeline, partition]))
            if rows.bool(row: 0, column: 0) == true { return .acquired }
            if let holder = try holder(connection, pipeline: pipeline, partition: partition) { return holder }
        }
        return .heldBy(applicationName: nil, pid: nil)
    }

    /// Releases a lock taken by this connection; false if it did not hold it.
    @discardableResult
    public static func release(_ connection: PostgresConnection, pipeline: String, partition: String) throws -> Bool {
        let rows = try connection.execute(
            SQLQuery("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [pipeline, partition]))
        return rows.bool(row: 0, column: 0) == true
    }

    /// The session holding the lock, from `pg_locks` joined to `pg_stat_activity`.
    private static func holder(_ connection: PostgresConnection, pipeline: String, partition: String) throws
        -> LockResult?
    {
        // Two-int4 advisory locks appear with classid = key1, objid = key2, objsubid = 2; the
        // int4 -> oid cast maps negative hashes the same way the server stores them.
        let rows = try connection.execute(
            SQLQuery(
                """
                SELECT a.application_name, l.pid
                FROM pg_locks l
                LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = hashtext($1)::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2
                  AND l.pid <> pg_backend_pid()
                LIMIT 1
                """, [pipeline, partition]))
        guard rows.count > 0 else { return nil }
        let name = rows.value(row: 0, column: 0)
        return .heldBy(applicationName: name?.isEmpty == true ? nil : name, pid: try rows.int(row: 0, column: 1))
    }
}
