import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real run as a person sees it: the built binary in a real terminal emulator (tmux) at 80
/// columns, its screen and scrollback read back with `capture-pane`.
@Suite("the terminal during a run (tmux, 80 columns)")
struct TerminalDisplayTests {
    static let pipeline = """
        stages:
          - id: a_rather_long_stage_identifier_that_makes_progress_lines_wide
            uses: test/sleep
            with: { ms: 1500 }
          - id: emit
            uses: test/emit
            with: { rows: 20 }
          - id: second_sleeper_reading_emit
            uses: test/sleep
            needs: [emit]
            with: { ms: 1200 }
        """

    @Test("the progress area redraws in place: no line wider than 80 columns, no stale bar left")
    func progressAreaAtEightyColumns() throws {
        let tmux = try #require(
            ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "tmux is missing: `make setup` installs it")
        let pipeline = try E2EPipeline(Self.pipeline)
        defer { try? FileManager.default.removeItem(at: pipeline.root) }
        let socket = "chainetl-test-\(UInt64.random(in: 0...UInt64.max))"
        let command =
            ([ChainETLProcess.binary.path, "run", pipeline.file.path, "--from", "2026-11-18", "--to", "2026-11-20"]
            + ["--workdir", pipeline.workdir.path, "--jobs", "2", "--log-format", "text"])
            .map(Self.quoted).joined(separator: " ") + "; echo __EXIT_$?__; sleep 600"
        var environment = ProcessInfo.processInfo.environment.merging(pipeline.environment) { _, new in new }
        environment["TERM"] = "xterm-256color"
        environment["COLUMNS"] = nil
        // The server forks from this client and would keep a pipe open: these two print nothing we need.
        try Self.tmux(
            tmux, ["-L", socket, "new-session", "-d", "-s", "run", "-x", "80", "-y", "24", command], environment,
            captureOutput: false)
        defer { _ = try? Self.tmux(tmux, ["-L", socket, "kill-server"], environment, captureOutput: false) }

        var sawProgressArea = false
        let ended = ChainETLProcess.waitUntil(seconds: 300) {
            let screen = (try? Self.tmux(tmux, ["-L", socket, "capture-pane", "-p", "-t", "run"], environment)) ?? ""
            if screen.contains("running: ") { sawProgressArea = true }
            return screen.contains("__EXIT_")
        }
        #expect(ended, "the run did not finish within 300 s")
        let all = try Self.tmux(tmux, ["-L", socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "run"], environment)
        let lines = all.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop { $0 == " " }.reversed())
        }
        #expect(all.contains("__EXIT_0__"), "\(all)")
        #expect(sawProgressArea, "no progress area was ever drawn")
        // -J joins lines the terminal wrapped: any joined line over 80 columns was wrapped.
        let wide = lines.filter { $0.count > 80 }
        #expect(wide.isEmpty, "lines wider than the terminal:\n\(wide.joined(separator: "\n"))")
        // Nothing of the progress area is left in the scrollback or on the screen.
        let stale = lines.filter { $0.contains("running: ") || $0.contains("[#") || $0.contains("[.") }
        #expect(stale.isEmpty, "stale progress lines:\n\(stale.joined(separator: "\n"))")
        // The summary is the last thing the run printed (wrapped at spaces to fit, continuations indented).
        let printed = lines.filter { !$0.isEmpty }
        let exitIndex = try #require(printed.firstIndex { $0.hasPrefix("__EXIT_") })
        let summaryStart = try #require(printed[..<exitIndex].lastIndex { !$0.hasPrefix(" ") })
        #expect(printed[summaryStart].hasPrefix("run ") && printed[summaryStart].contains("9 stages ok"), "\(all)")
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @discardableResult
    private static func tmux(
        _ path: String, _ arguments: [String], _ environment: [String: String], captureOutput: Bool = true
    ) throws -> String {
        guard captureOutput else {
            _ = try spawnAndWait(path, arguments, environment)
            return ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `path arguments…` with its output discarded and waits for it with `waitpid`.
    ///
    /// `new-session` forks the tmux server from the client; Foundation's `Process` then never sees
    /// the client end (the server inherits what it watches), so this spawns directly.
    private static func spawnAndWait(_ path: String, _ arguments: [String], _ environment: [String: String]) throws
        -> Int32
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot start \(path): \(spawned)"])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }
}
