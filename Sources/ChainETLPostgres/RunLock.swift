/// A session-level advisory lock per run id, held by a run's ledger connection for its lifetime.
///
/// It tells a live run from a dead one: an `etl_runs` row still `running` whose run lock can be
/// taken belongs to a process that is gone (killed, crashed, or cut off from the database), so
/// its lock vanished with its session. The key is one bigint, `hashtextextended('chainetl run ' ||
/// id, 0)`, computed by the server; single-bigint keys never collide with `PartitionLock`'s
/// two-int4 keys (Postgres keeps the two key spaces apart).
public enum RunLock {
    /// Takes the lock for `runID` on `connection`, waiting if another session has it (it never
    /// should: run ids are unique).
    public static func acquire(_ connection: PostgresConnection, runID: String) throws {
        _ = try connection.execute(
            SQLQuery("SELECT pg_advisory_lock(hashtextextended('chainetl run ' || $1, 0))", [runID]))
    }

    /// Whether some session holds the lock of `runID`, i.e. whether that run's process is alive.
    ///
    /// Tries the lock without waiting and gives it back at once when it was free.
    public static func isHeld(_ connection: PostgresConnection, runID: String) throws -> Bool {
        let rows = try connection.execute(
            SQLQuery("SELECT pg_try_advisory_lock(hashtextextended('chainetl run ' || $1, 0))", [runID]))
        guard rows.bool(row: 0, column: 0) == true else { return true }
        _ = try connection.execute(
            SQLQuery("SELECT pg_advisory_unlock(hashtextextended('chainetl run ' || $1, 0))", [runID]))
        return false
    }
}
