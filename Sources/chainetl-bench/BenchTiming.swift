import Foundation

/// How long a step took: wall-clock seconds and the CPU seconds (user + system) it used.
///
/// CPU time is reported too because the bench machine is shared: under load, wall-clock rates
/// drop for reasons unrelated to the code, while CPU seconds per row stay comparable.
struct Elapsed {
    var wall: Double
    var cpu: Double
}

/// Timing and external baseline commands.
enum BenchTiming {
    /// Runs `body` and returns its result with its wall-clock and this process's CPU time.
    static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, elapsed: Elapsed) {
        let cpuStart = cpuSeconds(children: false)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (result, Elapsed(wall: wall, cpu: cpuSeconds(children: false) - cpuStart))
    }

    /// User + system CPU seconds of this process, or of its waited-for children.
    static func cpuSeconds(children: Bool) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Runs `arguments` (looked up on PATH) with stdin from a file and stdout to a new file in the
    /// scratch directory (nil: discarded); returns its wall-clock and CPU time.
    static func runTool(_ arguments: [String], stdin: URL, stdout: URL?) throws -> Elapsed {
        if let stdout {
            guard FileManager.default.createFile(atPath: stdout.path, contents: Data()) else {
                throw BenchError.toolFailed("create \(stdout.path)", status: -1)
            }
        }
        guard let input = FileHandle(forReadingAtPath: stdin.path),
            let output = stdout.map({ FileHandle(forWritingAtPath: $0.path) }) ?? FileHandle.nullDevice
        else { throw BenchError.toolFailed(arguments.joined(separator: " "), status: -1) }
        defer {
            try? input.close()
            try? output.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        let childrenBefore = cpuSeconds(children: true)
        let (_, elapsed) = try measure {
            try process.run()
            process.waitUntilExit()
        }
        guard process.terminationStatus == 0 else {
            throw BenchError.toolFailed(arguments.joined(separator: " "), status: process.terminationStatus)
        }
        return Elapsed(wall: elapsed.wall, cpu: cpuSeconds(children: true) - childrenBefore)
    }

    /// Flushes a file to disk, so a baseline pays the same fsync as a checkpoint commit.
    static func sync(_ url: URL) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        try handle.synchronize()
    }
}

/// Failures of the bench driver itself.
enum BenchError: Error, CustomStringConvertible {
    /// An external baseline tool failed.
    case toolFailed(String, status: Int32)
    /// A bad command-line argument.
    case usage(String)
    /// A section produced a result that contradicts its input.
    case mismatch(String)

    var description: String {
        switch self {
        case .toolFailed(let command, let status):
            return "baseline command '\(command)' failed with status \(status); check that it is installed"
        case .usage(let message): return message
        case .mismatch(let message): return message
        }
    }
}
