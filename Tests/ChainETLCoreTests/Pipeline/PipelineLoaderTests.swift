import Foundation
import Testing

@testable import ChainETLCore

@Suite("PipelineLoader: valid files")
struct PipelineLoaderTests {
    let environment = ["GNOSIS_BASE_URL": "https://gnosis.blockscout.com/api"]

    @Test func loadsTheTwoChainFixtureIntoTheSpecModel() throws {
        let file = try pipelineFixture("two-chains")
        let spec = try PipelineLoader.load(file: file, environment: environment, catalog: TestCatalog()).get()

        #expect(spec.name == "two-chains")
        #expect(spec.version == 1)
        #expect(spec.file == file)
        #expect(spec.chains.map(\.name) == ["ethereum", "gnosis"])

        let ethereum = try #require(spec.chain(named: "ethereum"))
        #expect(ethereum.chainID == 1)
        #expect(ethereum.explorer == .etherscan)
        #expect(ethereum.baseURL == "https://api.etherscan.io/v2/api")
        #expect(ethereum.apiKeyEnv == "ETHERSCAN_API_KEY")
        #expect(ethereum.ratePerSecond == 3)
        #expect(ethereum.ratePerDay == 100_000)
        #expect(ethereum.confirmations == 12)
        #expect(
            ethereum.tokens == [
                TrackedToken(address: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", symbol: "USDC", decimals: 6),
                TrackedToken(address: "0xdac17f958d2ee523a2206206994597c13d831ec7", symbol: "USDT", decimals: 6),
            ])
        #expect(ethereum.accounts.isEmpty)
        #expect(ethereum.location.line == 5 && ethereum.location.column == 3)

        let gnosis = try #require(spec.chain(named: "gnosis"))
        #expect(gnosis.explorer == .blockscout)
        #expect(gnosis.baseURL == "https://gnosis.blockscout.com/api")
        #expect(gnosis.apiKeyEnv == nil)
        #expect(gnosis.ratePerSecond == 2.5)
        #expect(gnosis.ratePerDay == nil)
        #expect(gnosis.accounts == ["0x00000000000000000000000000000000000000ab"])

        #expect(spec.stages.map(\.id) == ["extract-logs", "daily", "report"])
        #expect(spec.stages.map(\.kind) == ["extract/etherscan-logs", "sql", "test/emit"])
        #expect(spec.stages.map(\.needs) == [[], ["extract-logs"], ["daily", "extract-logs"]])
        let daily = try #require(spec.stage(id: "daily"))
        #expect(daily.location.line == 29 && daily.location.column == 5)
        #expect(try daily.parameters.string("file") == "sql/daily.sql")
        #expect(daily.parameters.location.line == 33)
    }

    @Test func withValuesAreLocatedInterpolatedAndTyped() throws {
        let spec = try PipelineLoader.load(
            file: try pipelineFixture("two-chains"), environment: environment, catalog: TestCatalog()
        ).get()
        let report = try #require(spec.stage(id: "report")).parameters
        #expect(try report.integer("rows") == 3)
        #expect(try report.string("label") == "cost: $5 for nobody")
        #expect(try report.number("ratio") == 0.25)
        #expect(try report.boolean("enabled") == true)
        #expect(try report.stringList("columns") == ["a", "b"])
        let options = try #require(try report.mapping("options"))
        #expect(try options.mapping("nested")?.integer("deep") == 1)
        #expect(try report.mappingList("sources")?.map { try $0.string("name") } == ["x"])
        #expect(report.node("rows")?.location == SourceLocation(file: spec.file.relativePath, line: 38, column: 13))
        #expect(report.keys == ["rows", "label", "ratio", "enabled", "columns", "options", "sources", "anything"])
    }

    @Test func nameDefaultsToTheFileNameWithoutExtension() throws {
        let loaded = try PipelineLoader.load(
            text: "version: 1\nstages:\n  - { id: a, uses: test/unchecked }\n",
            file: URL(fileURLWithPath: "/tmp/nightly.yaml"), environment: [:], catalog: TestCatalog()
        ).get()
        #expect(loaded.name == "nightly")
        #expect(loaded.chains.isEmpty)
    }

    @Test func kindsWithoutASchemaAcceptAnyParameters() throws {
        let loaded = try spec(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                with: { whatever: [1, 2], nested: { x: y } }
            """)
        #expect(loaded.stages[0].parameters.keys == ["whatever", "nested"])
    }

    @Test func nullNeedsAndWithAreEmpty() throws {
        let loaded = try spec(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                needs:
                with:
            """)
        #expect(loaded.stages[0].needs.isEmpty)
        #expect(loaded.stages[0].parameters.keys.isEmpty)
    }

    @Test func diagnosticsRenderAsFileLineColumnErrorAndHint() {
        let diagnostic = ConfigDiagnostic(
            location: SourceLocation(file: "pipelines/demo.yaml", line: 4, column: 7), message: "unknown key 'x'",
            hint: "did you mean 'y'?")
        #expect(diagnostic.description == "pipelines/demo.yaml:4:7: error: unknown key 'x'\n  hint: did you mean 'y'?")
        let plain = ConfigDiagnostic(location: SourceLocation(file: "a.yaml", line: 1, column: 1), message: "m")
        #expect(plain.description == "a.yaml:1:1: error: m")
        #expect(ConfigDiagnostics([diagnostic, plain]).description.hasSuffix("\na.yaml:1:1: error: m\n2 errors"))
    }
}
