import ChainETLStages

extension StageRegistry {
    /// The `test/…` kinds: deterministic rows, a failure, a copy, a sleep (runner and end-to-end tests).
    public static var testStageTypes: [any Stage.Type] {
        [TestEmitStage.self, TestFailStage.self, TestCopyStage.self, TestSleepStage.self]
    }

    /// The product kinds plus the test kinds, for tests that build stages or run pipelines in-process.
    public static let withTestStages = StageRegistry.standard.adding(testStageTypes)

    /// What the `chainetl` binary registers: still the product kinds and the test kinds, as
    /// before they moved here (the end-to-end tests run pipelines of test kinds).
    public static func forBinary(environment: [String: String]) -> StageRegistry {
        withTestStages
    }
}
