import Foundation
import Testing

@testable import ChainETLCore

@Suite("PipelineSpec.configHash(forStage:)")
struct PipelineConfigHashTests {
    /// A pipeline whose chain and stage sections can be varied one line at a time.
    private func pipeline(
        rate: String = "{ per_second: 3 }", baseURL: String = "https://api.etherscan.io/v2/api",
        keyEnv: String = "ETHERSCAN_API_KEY", with: String = "{ rows: 5, label: x }", needs: String = "[b, c]", tokens: String = "[]"
    ) throws -> PipelineSpec {
        try spec(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: \(baseURL)
                api_key_env: \(keyEnv)
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
                == #"{"chains":[{"accounts":[],"chain_id":1,"confirmations":12,"explorer":"etherscan","name":"ethereum","tokens":[]}],"format":"chainetl-stage-config/2","kind":"test/emit","needs":["b","c"],"with":{"label":"x","rows":"5"}}"#
        )
        let value = try hash(spec)
        #expect(value.count == 64)
        #expect(value.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) })
        #expect(value == (try hash(pipeline())))
        #expect(spec.configHash(forStage: "missing") == nil)
    }

    @Test func ignoresWhereAndHowFastToFetchLayoutKeyOrderAndNeedsOrder() throws {
        let base = try hash(pipeline())
        #expect(try hash(pipeline(rate: "{ per_second: 0.5, per_day: 1000 }")) == base)
        // The demo's simulator listens on a new port each time: that must not rerun any stage.
        #expect(try hash(pipeline(baseURL: "http://127.0.0.1:41234/v2/api")) == base)
        #expect(try hash(pipeline(keyEnv: "OTHER_KEY")) == base)
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
            try pipeline(tokens: "[{ address: \"0xdAC17F958D2ee523a2206206994597C13D831ec7\" }]"),
        ]
        let hashes = try variants.map(hash)
        #expect(hashes.allSatisfy { $0 != base })
        #expect(Set(hashes).count == hashes.count)
    }

    @Test func partsNameWhatChanged() throws {
        func changed(_ variant: PipelineSpec) throws -> [String] {
            let base = try pipeline()
            let before = base.configParts(forStage: try #require(base.stage(id: "a")))
            let after = variant.configParts(forStage: try #require(variant.stage(id: "a")))
            return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        }
        #expect(try changed(pipeline()) == [])
        #expect(try changed(pipeline(baseURL: "http://127.0.0.1:1/api", keyEnv: "K")) == [])
        #expect(try changed(pipeline(with: "{ rows: 6, label: x }")) == ["with.rows"])
        #expect(try changed(pipeline(with: "{ rows: 5 }")) == ["with.label"])
        #expect(try changed(pipeline(needs: "[b]")) == ["needs"])
        #expect(
            try changed(pipeline(tokens: "[{ address: \"0xdAC17F958D2ee523a2206206994597C13D831ec7\" }]"))
                == ["chains.ethereum.tokens"])
    }

    @Test func tokenOrderDoesNotMatter() throws {
        let first = "{ address: \"0xdAC17F958D2ee523a2206206994597C13D831ec7\", symbol: USDT }"
        let second = "{ address: \"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\", decimals: 6 }"
        #expect(try hash(pipeline(tokens: "[\(first), \(second)]")) == hash(pipeline(tokens: "[\(second), \(first)]")))
    }
}
