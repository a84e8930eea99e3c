import Foundation
import Testing

@testable import ChainETLCore

@Suite("Pipeline interpolation: ${VAR}, ${VAR:-default}, $$")
struct PipelineInterpolationTests {
    let interpolator = EnvironmentInterpolator(environment: [
        "HOST": "example.com", "PORT": "8545", "EMPTY": "", "DOLLAR": "$HOME",
    ])

    private func expand(_ text: String) -> Result<String, EnvironmentInterpolator.Failure> {
        Result { () throws(EnvironmentInterpolator.Failure) in try interpolator.expand(text) }
    }

    @Test(arguments: [
        ("${HOST}", "example.com"),
        ("http://${HOST}:${PORT}/api", "http://example.com:8545/api"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${HOST:-fallback}", "example.com"),
        ("${EMPTY}", ""),
        ("${MISSING:-}", ""),
        ("cost $$5 and $$${PORT}", "cost $5 and $8545"),
        ("$$${HOST}", "$example.com"),
        ("price: $5, $HOME, a$", "price: $5, $HOME, a$"),
        ("${MISSING:-http://${HOST}:${PORT}}", "http://example.com:8545"),
        ("${HOST:-${MISSING}}", "example.com"),
        ("${MISSING:-a $$ b}", "a $ b"),
        ("${DOLLAR}", "$HOME"),
        ("no variables", "no variables"),
    ])
    func expands(input: String, expected: String) {
        #expect(expand(input) == .success(expected))
    }

    @Test(arguments: [
        ("${MISSING}", EnvironmentInterpolator.Failure.unsetVariable("MISSING")),
        ("a-${HOST}-${ALSO_MISSING}", .unsetVariable("ALSO_MISSING")),
        ("${MISSING:-${INNER_MISSING}}", .unsetVariable("INNER_MISSING")),
        ("${HOST", .unterminated),
        ("${MISSING:-abc", .unterminated),
        ("${}", .malformed("${}")),
        ("${1ABC}", .malformed("${1ABC}")),
        ("${HOST-x}", .malformed("${HOST-x}")),
        ("${HO ST}", .malformed("${HO ST}")),
    ])
    func fails(input: String, expected: EnvironmentInterpolator.Failure) {
        #expect(expand(input) == .failure(expected))
    }

    @Test func interpolationHappensBeforeTypeChecks() throws {
        let loaded = try spec(
            """
            version: 1
            chains:
              ethereum:
                chain_id: ${CHAIN_ID:-1}
                explorer: ${EXPLORER}
                base_url: "${SCHEME:-https}://${HOST}/v2/api"
                api_key_env: ETHERSCAN_API_KEY
                rate_limit: { per_second: "${RATE}" }
                confirmations: ${CONFIRMATIONS:-12}
            stages:
              - id: a
                uses: test/emit
                with: { rows: "${ROWS}", enabled: "${FLAG:-false}" }
            """,
            environment: ["EXPLORER": "blockscout", "HOST": "example.com", "RATE": "2.5", "ROWS": "7"])
        let chain = try #require(loaded.chains.first)
        #expect(chain.chainID == 1)
        #expect(chain.explorer == .blockscout)
        #expect(chain.baseURL == "https://example.com/v2/api")
        #expect(chain.ratePerSecond == 2.5)
        #expect(chain.confirmations == 12)
        #expect(try loaded.stages[0].parameters.integer("rows") == 7)
        #expect(try loaded.stages[0].parameters.boolean("enabled") == false)
    }

    @Test func malformedReferenceIsALocatedError() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - id: a
                uses: test/emit
                with: { rows: 1, label: "x ${NAME" }
            """)
        #expect(
            found.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
                "5:29 '${' without a closing '}'"
            ])
        #expect(found.first?.hint?.contains("$$") == true)
    }

    @Test func keysAreNotInterpolatedAndQuotedNullsAreStrings() throws {
        let loaded = try spec(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                with: { "${X}": "null", plain: null }
            """)
        let parameters = loaded.stages[0].parameters
        #expect(parameters.keys == ["${X}", "plain"])
        #expect(try parameters.string("${X}") == "null")
        #expect(try parameters.string("plain") == nil)
    }
}
