import Foundation
import Testing

/// Command-line values that used to give misleading messages or exit codes (issue 14, item 7).
@Suite("command-line messages (binary)")
struct CommandLineMessageTests {
    static let chain = """
        stages:
          - id: emit
            uses: test/emit
            with: { rows: 10 }
        """

    @Test(arguments: [["--jobs", "-3"], ["--jobs=-3"], ["--jobs", "0"], ["--jobs", "65"]])
    func outOfRangeJobsSayTheRange(jobs: [String]) throws {
        let pipeline = try E2EPipeline(Self.chain)
        let output = try pipeline.run(["--partition", "2026-11-20"] + jobs)
        #expect(output.exitCode == 2, "\(output.stderr)")
        #expect(output.stderr.contains("--jobs must be between 1 and 64"), "\(output.stderr)")
        #expect(!output.stderr.contains("Missing value"))
    }

    @Test(arguments: ["postgresql://localhost/chainetl?sslmode=sometimes", "host=localhost port"])
    func anUnparsableDatabaseURLExitsTwo(url: String) throws {
        let pipeline = try E2EPipeline(Self.chain)
        let run = try pipeline.run(["--partition", "2026-11-20", "--database-url", url, "--log-format", "text"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        #expect(run.stderr.contains("the database URL (from --database-url) is not valid"), "\(run.stderr)")
        #expect(run.stderrLines.last?.contains("not started") == true)

        let status = try ChainETLProcess.run(["status", "--offline", "--database-url", url])
        #expect(status.exitCode == 2, "\(status.stderr)")
        #expect(status.stderr.contains("is not valid"))
    }
}
