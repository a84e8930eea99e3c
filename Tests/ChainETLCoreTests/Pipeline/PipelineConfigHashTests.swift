import Foundation
import Testing

@testable import ChainETLCore

@Suite("PipelineSpec.configHash(forStage:)")
struct PipelineConfigHashTests {
    /// A pipeline whose chain and stage sections can be varied one line at a time.
    private func pipeline(
        rate: String = "{ per_second: 3 }", baseURL: String = "https://api.etherscan.io/v2/api",
        with: String = "{ rows: 5, label: x }", needs: String = "[b, c]", tokens: String = "[]"
    ) throws -> PipelineSpec {
        try spec(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: \(baseURL)
                api_key_env: ETHERSCAN_API_KEY
                rate_limit: \(rate)
                confirmations: 12
                tokens: \(tokens)
            stages:
              - { id: b, uses: test/unchecked }
              - { id: c, uses: test/unchecked }
              - id: a
                uses: test/emit
                needs: \(needs)
                with: \(with)
            """)
    }

    private func hash(_ spec: PipelineSpec) throws -> String { try #require(spec.configHash(forStage: "a")) }

    @Test func isLowercaseHexSHA256OfThePinnedCanonicalText() throws {
        let spec = try pipeline()
        let stage = try #require(spec.stage(id: "a"))
        #expect(
            spec.canonicalConfig(forStage: stage)
                == #"{"chains":[{"accounts":[],"api_key_env":"ETHERSCAN_API_KEY","base_url":"https://api.etherscan.io/v2/api","chain_id":1,"confirmations":12,"explorer":"etherscan","name":"ethereum","tokens":[]}],"format":"chainetl-stage-config/1","kind":"test/emit","needs":["b","c"],"with":{"label":"x","rows":"5"}}"#
        )
        let value = try hash(spec)
        #expect(value.count == 64)
        #expect(value.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) })
        #expect(value == (try hash(pipeline())))
        #expect(spec.configHash(forStage: "missing") == nil)
    }

    @Test func ignoresRateLimitsLayoutKeyOrderAndNeedsOrder() throws {
        let base = try hash(pipeline())
        #expect(try hash(pipeline(rate: "{ per_second: 0.5, per_day: 1000 }")) == base)
        #expect(try hash(pipeline(with: "\n      label: x\n      rows: 5")) == base)
        #expect(try hash(pipeline(with: "{ label: \"x\", rows: \"5\" }")) == base)
        #expect(try hash(pipeline(needs: "[c, b]")) == base)
    }

    @Test func changesWithTheStageOrTheChains() throws {
        let base = try hash(pipeline())
        let variants = [
            try pipeline(with: "{ rows: 6, label: x }"),
            try pipeline(with: "{ rows: 5 }"),
            try pipeline(needs: "[b]"),
            try pipeline(baseURL: "http://127.0.0.1:8545/api"),
            try pipeline(tokens: "[{ address: \"0xdAC17F958D2ee523a2206206994597C13D831ec7\" }]"),
        ]
        let hashes = try variants.map(hash)
        #expect(hashes.allSatisfy { $0 != base })
        #expect(Set(hashes).count == hashes.count)
    }

    @Test func tokenOrderDoesNotMatter() throws {
        let first = "{ address: \"0xdAC17F958D2ee523a2206206994597C13D831ec7\", symbol: USDT }"
        let second = "{ address: \"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\", decimals: 6 }"
        #expect(try hash(pipeline(tokens: "[\(first), \(second)]")) == hash(pipeline(tokens: "[\(second), \(first)]")))
    }
}
