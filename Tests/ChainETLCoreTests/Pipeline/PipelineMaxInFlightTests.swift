import Foundation
import Testing

@testable import ChainETLCore

@Suite("PipelineLoader: max_in_flight")
struct PipelineMaxInFlightTests {
    static func yaml(_ line: String) -> String {
        """
        version: 1
        chains:
          ethereum:
            chain_id: 1
            explorer: etherscan
            base_url: https://api.etherscan.io/v2/api
            rate_limit: { per_second: 5 }
        \(line)
            confirmations: 12
        stages:
          - { id: a, uses: test/unchecked }
        """
    }

    @Test func defaultsToEightAndReadsTheSetting() throws {
        #expect(try spec(Self.yaml("")).chains.first?.maxInFlight == ChainSpec.defaultMaxInFlight)
        #expect(ChainSpec.defaultMaxInFlight == 8)
        #expect(try spec(Self.yaml("    max_in_flight: 3")).chains.first?.maxInFlight == 3)
    }

    @Test func outOfRangeIsReportedWithItsPosition() {
        let found = diagnostics(Self.yaml("    max_in_flight: 0"))
        #expect(found.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
            "8:20 max_in_flight must be between 1 and 64, found 0"
        ])
        #expect(!diagnostics(Self.yaml("    max_in_flight: many")).isEmpty)
    }

    @Test func isNotPartOfTheStageConfigHash() throws {
        let plain = try spec(Self.yaml(""))
        let tuned = try spec(Self.yaml("    max_in_flight: 2"))
        let stage = try #require(plain.stages.first)
        #expect(plain.configHash(forStage: stage) == tuned.configHash(forStage: stage))
    }
}
