import Foundation
import Testing

/// The `test/…` stage kinds are for the tests only: the binary refuses them unless
/// CHAINETL_TEST_STAGES=1 (which `ChainETLProcess` sets for every other test).
@Suite("test stage kinds need CHAINETL_TEST_STAGES=1 (binary)")
struct TestStagesOptInTests {
    @Test func validateRefusesATestKindWithoutTheOptIn() throws {
        let pipeline = try E2EPipeline("stages:\n  - { id: emit, uses: test/emit, with: { rows: 1 } }\n")
        defer { try? FileManager.default.removeItem(at: pipeline.root) }

        let refused = try ChainETLProcess.run(
            ["validate", pipeline.file.path], environment: ["CHAINETL_TEST_STAGES": ""])
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("unknown stage kind"), "\(refused.stderr)")

        let accepted = try ChainETLProcess.run(["validate", pipeline.file.path])
        #expect(accepted.exitCode == 0, "\(accepted.stderr)")
    }
}
