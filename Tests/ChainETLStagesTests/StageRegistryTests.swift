import ChainETLCore
import ChainETLTestSupport
import Testing

@testable import ChainETLStages

@Suite("StageRegistry: product kinds, test kinds only on request")
struct StageRegistryTests {
    static let testKinds = ["test/copy", "test/emit", "test/fail", "test/sleep"]

    @Test func theProductRegistryHasNoTestKinds() {
        #expect(StageRegistry.standard.knownKinds.filter { $0.hasPrefix("test/") }.isEmpty)
        #expect(StageRegistry.standard.knownKinds.contains("extract/etherscan-logs"))
    }

    @Test func withTestStagesAddsTheFourTestKindsToTheProductOnes() {
        let kinds = StageRegistry.withTestStages.knownKinds
        #expect(kinds.filter { $0.hasPrefix("test/") } == Self.testKinds)
        #expect(Set(StageRegistry.standard.knownKinds).isSubset(of: Set(kinds)))
    }

    @Test(arguments: [[:], ["CHAINETL_TEST_STAGES": "0"], ["CHAINETL_TEST_STAGES": ""]])
    func theBinaryRegistersTestKindsOnlyWithTheOptIn(environment: [String: String]) {
        #expect(StageRegistry.forBinary(environment: environment).stageType(for: "test/emit") == nil)
        #expect(
            StageRegistry.forBinary(environment: ["CHAINETL_TEST_STAGES": "1"]).stageType(for: "test/emit") != nil)
    }
}
