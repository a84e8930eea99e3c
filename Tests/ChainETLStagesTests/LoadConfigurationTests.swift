import ChainETLCore
import ChainETLTestSupport
import Foundation
import Testing

@testable import ChainETLStages

/// The `with:` of `load` and `prune`, read from real pipeline text.
@Suite("Load and prune configuration")
struct LoadConfigurationTests {
    static let chains = """
        chains:
          ethereum:
            chain_id: 1
            explorer: etherscan
            base_url: http://127.0.0.1:9/api
            rate_limit: { per_second: 1 }
            confirmations: 12
          cronos:
            chain_id: 25
            explorer: etherscan
            base_url: http://127.0.0.1:9/api
            rate_limit: { per_second: 1 }
            confirmations: 12
        """

    func pipeline(_ stages: String) throws -> PipelineSpec {
        let text =
            "version: 1\nname: cfg\n\(Self.chains)\nstages:\n  - id: dedupe\n    uses: test/emit\n    with: { rows: 1 }\n\(stages)"
        return try PipelineLoader.load(
            text: text, file: URL(fileURLWithPath: "/tmp/cfg.yaml"), environment: [:],
            catalog: StageRegistry.withTestStages
        ).get()
    }

    func diagnostic(_ stages: String, stage: String) throws -> ConfigDiagnostic {
        let spec = try pipeline(stages)
        let stageSpec = try #require(spec.stage(id: stage))
        return try #require(throws: ConfigDiagnostic.self) {
            _ = try StageRegistry.withTestStages.makeStage(stageSpec, pipeline: spec)
        }
    }

    @Test("defaults: table transfers, every chain of the pipeline, the one need as input")
    func defaults() throws {
        let spec = try pipeline("  - id: load\n    uses: load\n    needs: [dedupe]\n")
        let configuration = try LoadConfiguration(spec: try #require(spec.stage(id: "load")), pipeline: spec)
        #expect(configuration.table == "transfers")
        #expect(configuration.chainIDs == [1, 25])
        #expect(configuration.input == "dedupe")
    }

    @Test("chains: names become sorted chain ids")
    func chainsByName() throws {
        let spec = try pipeline("  - id: load\n    uses: load\n    needs: [dedupe]\n    with: { chains: [cronos] }\n")
        let configuration = try LoadConfiguration(spec: try #require(spec.stage(id: "load")), pipeline: spec)
        #expect(configuration.chainIDs == [25])
    }

    @Test("a load needs exactly one input")
    func needsOneInput() throws {
        let error = try diagnostic("  - id: load\n    uses: load\n", stage: "load")
        #expect(error.message == "load stage load needs exactly one stage in needs:, has 0")
        #expect(error.location.line == 20)
    }

    @Test("the table must be a plain name, reported at its value")
    func plainTable() throws {
        let error = try diagnostic(
            "  - id: load\n    uses: load\n    needs: [dedupe]\n    with: { table: \"x; drop\" }\n", stage: "load")
        #expect(error.message.contains("table 'x; drop' is not a plain lowercase table name"))
        #expect(error.location.line == 23)
    }

    @Test("two loads of one pipeline sharing a chain are refused")
    func overlappingLoads() throws {
        let stages = """
              - id: load_a
                uses: load
                needs: [dedupe]
                with: { chains: [ethereum, cronos] }
              - id: load_b
                uses: load
                needs: [dedupe]
                with: { chains: [cronos] }

            """
        let error = try diagnostic(stages, stage: "load_b")
        #expect(error.message == "load stages load_b and load_a both load chain id 25 into transfers")
    }

    @Test("prune: retention_days defaults to 90 and must be at least 1")
    func pruneRetention() throws {
        let spec = try pipeline("  - id: prune\n    uses: prune\n")
        #expect(try PruneConfiguration(spec: try #require(spec.stage(id: "prune")), pipeline: spec).retentionDays == 90)
        let error = try diagnostic("  - id: prune\n    uses: prune\n    with: { retention_days: 0 }\n", stage: "prune")
        #expect(error.message == "prune stage prune: retention_days must be at least 1, got 0")
    }
}
