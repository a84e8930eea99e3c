import ChainETLStages

extension StageRegistry {
    /// The variable that makes the `chainetl` binary accept the test kinds (`CHAINETL_TEST_STAGES=1`);
    /// the end-to-end tests set it, users never need to.
    public static let testStagesVariable = "CHAINETL_TEST_STAGES"

    /// The `test/…` kinds: deterministic rows, a failure, a copy, a sleep (runner and end-to-end tests).
    public static var testStageTypes: [any Stage.Type] {
        [TestEmitStage.self, TestFailStage.self, TestCopyStage.self, TestSleepStage.self]
    }

    /// The product kinds plus the test kinds, for tests that build stages or run pipelines in-process.
    public static let withTestStages = StageRegistry.standard.adding(testStageTypes)

    /// What the `chainetl` binary registers: the product kinds, plus the test kinds when
    /// `CHAINETL_TEST_STAGES` is `1` in `environment`.
    public static func forBinary(environment: [String: String]) -> StageRegistry {
        environment[testStagesVariable] == "1" ? withTestStages : standard
    }
}
