import Foundation

/// CPU seconds (user + system) a PostgreSQL backend has used, from `/proc/<pid>/stat` (Linux,
/// server on this machine, as under `.ci/with-postgres`).
///
/// The aggregate work runs in the server, not in the bench process, and the machine is shared:
/// a backend's CPU seconds for a statement stay comparable when other processes slow the wall
/// clock down.
enum BackendCPU {
    /// Seconds used so far by process `pid`, or nil when its stat file is unreadable (another
    /// machine, another OS).
    static func seconds(pid: Int32) -> Double? {
        seconds(statFile: "/proc/\(pid)/stat")
    }

    /// Seconds recorded in a copy of a process's `stat` file.
    static func seconds(statFile: String) -> Double? {
        guard let stat = try? String(contentsOfFile: statFile, encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": field 3 (state) is the first; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
