import Foundation
import Testing

@testable import ChainETLCore

/// Expects exactly one diagnostic, at `line:column`, whose message and hint contain the given text.
private func expectOne(
    _ yaml: String, environment: [String: String] = [:], line: Int, column: Int, message: String, hint: String? = nil,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let found = diagnostics(yaml, environment: environment)
    #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
    guard let diagnostic = found.first else { return }
    #expect(diagnostic.location.file == "test.yaml", sourceLocation: sourceLocation)
    #expect(
        diagnostic.location.line == line && diagnostic.location.column == column, "\(diagnostic)",
        sourceLocation: sourceLocation)
    #expect(diagnostic.message.contains(message), "\(diagnostic)", sourceLocation: sourceLocation)
    if let hint {
        #expect(diagnostic.hint?.contains(hint) == true, "\(diagnostic)", sourceLocation: sourceLocation)
    }
}

@Suite("PipelineLoader: every config error has file:line:column, message and hint")
struct PipelineLoaderErrorTests {
    // MARK: Unknown keys

    @Test func unknownTopLevelKeySuggestsTheNearestKey() {
        expectOne(
            """
            version: 1
            chainz: {}
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 2, column: 1, message: "unknown key 'chainz' in the pipeline file",
            hint: "did you mean 'chains'?")
    }

    @Test func unknownChainKey() {
        expectOne(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: https://api.etherscan.io/v2/api
                rate_limit: { per_second: 3 }
                confirmations: 12
                tokenz: []
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 9, column: 5, message: "unknown key 'tokenz' in chain 'ethereum'",
            hint: "did you mean 'tokens'?")
    }

    @Test func unknownStageKeyWithNothingCloseListsTheKnownKeys() {
        expectOne(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                description: hello
            """, line: 5, column: 5, message: "unknown key 'description' in stage 'a'",
            hint: "known keys: id, uses, needs, with")
    }

    @Test func unknownKeyInsideAFlowMappingAlsoReportsTheMissingRequiredKey() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain.replacingOccurrences(of: "per_second", with: "per_sec"))
            stages:
              - { id: a, uses: test/unchecked }
            """)
        #expect(found.map { "\($0.location.line):\($0.location.column)" } == ["7:17", "7:19"])
        #expect(found.first?.message == "missing required key 'per_second' in rate_limit of chain 'ethereum'")
        #expect(found.last?.message == "unknown key 'per_sec' in rate_limit of chain 'ethereum'")
        #expect(found.last?.hint == "did you mean 'per_second'?")
    }

    // MARK: Unknown stage kind

    @Test func unknownStageKindSuggestsTheNearestKind() {
        expectOne(
            """
            version: 1
            stages:
              - id: a
                uses: test/emitt
            """, line: 4, column: 11, message: "unknown stage kind 'test/emitt'", hint: "did you mean 'test/emit'?")
    }

    @Test func unknownStageKindWithNothingCloseListsTheKinds() {
        expectOne(
            """
            version: 1
            stages:
              - { id: a, uses: zzz }
            """, line: 3, column: 20, message: "unknown stage kind 'zzz'",
            hint: "known stage kinds: test/emit, test/unchecked, sql, extract/etherscan-logs")
    }

    // MARK: Missing dependency

    @Test func needsNamingAMissingStage() {
        expectOne(
            """
            version: 1
            stages:
              - id: extract
                uses: test/unchecked
              - id: load
                uses: test/unchecked
                needs: [extract, extrct]
            """, line: 7, column: 22, message: "stage 'load' needs 'extrct', which is not a stage of this pipeline",
            hint: "did you mean 'extract'?")
    }

    // MARK: Cycles

    @Test func cyclePrintsThePathAndPointsAtTheNeedThatStartsIt() throws {
        let file = try pipelineFixture("cycle")
        let problems = PipelineValidator.validate(files: [file], environment: [:], catalog: TestCatalog())
        #expect(problems.count == 1)
        let diagnostic = try #require(problems.first)
        #expect(diagnostic.location == SourceLocation(file: file.relativePath, line: 5, column: 13))
        #expect(diagnostic.message == "dependency cycle: a -> c -> b -> a (each stage needs the next)")
        #expect(diagnostic.hint == "remove one of these needs so the stages can run in order")
    }

    @Test func aStageNeedingItselfIsACycle() {
        expectOne(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                needs: [a]
            """, line: 5, column: 13, message: "dependency cycle: a -> a")
    }

    @Test func twoSeparateCyclesAreBothReported() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - { id: a, uses: test/unchecked, needs: [b] }
              - { id: b, uses: test/unchecked, needs: [a] }
              - { id: c, uses: test/unchecked, needs: [d] }
              - { id: d, uses: test/unchecked, needs: [c] }
              - { id: e, uses: test/unchecked, needs: [a, c] }
            """)
        #expect(
            found.map(\.message) == [
                "dependency cycle: a -> b -> a (each stage needs the next)",
                "dependency cycle: c -> d -> c (each stage needs the next)",
            ])
        #expect(found.map { "\($0.location.line):\($0.location.column)" } == ["3:44", "5:44"])
    }

    // MARK: Wrong types

    @Test func wrongTypeQuotesTheValueAsWritten() {
        expectOne(
            """
            version: 1
            \(ethereumChain.replacingOccurrences(of: "chain_id: 1", with: "chain_id: abc"))
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 4, column: 15, message: "expected an integer for 'chain_id', found 'abc'",
            hint: "chain_id: 100 (a whole number")
    }

    @Test func wrongTypeOfAnInterpolatedValueShowsTheVariableAndItsValue() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain.replacingOccurrences(of: "chain_id: 1", with: "chain_id: ${CHAIN_ID}"))
            stages:
              - { id: a, uses: test/unchecked }
            """, environment: ["CHAIN_ID": "one"])
        #expect(found.count == 1)
        #expect(found.first?.message == "expected an integer for 'chain_id', found '${CHAIN_ID}' (= 'one')")
    }

    @Test func wrongTypeOfAnInterpolatedSecretNeverShowsTheValue() {
        for variable in ["API_KEY", "ETHERSCAN_TOKEN", "DB_PASSWORD", "MY_SECRET", "DATABASE_URL"] {
            let found = diagnostics(
                """
                version: 1
                \(ethereumChain.replacingOccurrences(of: "chain_id: 1", with: "chain_id: ${\(variable)}"))
                stages:
                  - { id: a, uses: test/unchecked }
                """, environment: [variable: "s3cret-value"])
            #expect(found.count == 1)
            #expect(found.first?.message == "expected an integer for 'chain_id', found '${\(variable)}'")
            #expect(!"\(ConfigDiagnostics(found))".contains("s3cret"))
        }
    }

    @Test func wrongTypesOfNumbersListsAndMappings() {
        let found = diagnostics(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: https://api.etherscan.io/v2/api
                rate_limit: { per_second: fast, per_day: 1.5 }
                confirmations: [12]
                tokens: { address: "0xdAC17F958D2ee523a2206206994597C13D831ec7" }
            stages:
              - id: a
                uses: test/unchecked
                needs: b
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "7:31 expected a number for 'per_second', found 'fast'",
                "7:46 expected an integer for 'per_day', found '1.5'",
                "8:20 expected an integer for 'confirmations', found a list",
                "9:13 expected a list for 'tokens', found a mapping",
                "13:12 expected a list for 'needs', found 'b'",
            ])
    }

    @Test func stagesMustBeAList() {
        expectOne(
            """
            version: 1
            stages:
              a: { uses: test/unchecked }
            """, line: 3, column: 3, message: "expected a list for 'stages', found a mapping")
    }

    // MARK: Duplicates

    @Test func duplicateStageIdPointsAtTheSecondAndNamesTheFirstLine() {
        expectOne(
            """
            version: 1
            stages:
              - id: extract
                uses: test/unchecked
              - id: load
                uses: test/unchecked
                needs: [extract]
              - id: extract
                uses: sql
                with: { file: a.sql }
            """, line: 8, column: 9, message: "duplicate stage id 'extract' (first declared at line 3)",
            hint: "stage ids must be unique")
    }

    @Test func duplicateChainNamePointsAtTheSecondAndOtherErrorsAreStillReported() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain)
              ethereum:
                chain_id: 2
                explorer: etherscan
                base_url: https://api.etherscan.io/v2/api
                rate_limit: { per_second: 3 }
                confirmations: 12
            stages:
              - { id: a, uses: nope }
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "9:3 duplicate chain name 'ethereum' (first declared at line 3)", "16:20 unknown stage kind 'nope'",
            ])
        #expect(found.first?.hint == "chain names must be unique; rename or remove one of the two")
    }

    @Test func aChainNameUsedThreeTimesIsReportedTwice() {
        let found = diagnostics(
            """
            version: 1
            chains:
              x: {}
              x: {}
              "x": {}
            stages:
              - { id: a, uses: test/unchecked }
            """)
        let duplicates = found.filter { $0.message.hasPrefix("duplicate chain name 'x'") }
        #expect(duplicates.map { "\($0.location.line):\($0.location.column)" } == ["4:3", "5:3"])
    }

    @Test func duplicateTopLevelKey() {
        expectOne(
            """
            version: 1
            stages:
              - { id: a, uses: test/unchecked }
            stages:
              - { id: b, uses: test/unchecked }
            """, line: 4, column: 1, message: "duplicate key 'stages' in the pipeline file (first at line 2)")
    }

    @Test func duplicateParameterInAFlowMapping() {
        expectOne(
            """
            version: 1
            stages:
              - { id: a, uses: test/emit, with: { rows: 1, rows: 2 } }
            """, line: 3, column: 48, message: "duplicate parameter 'rows' (first at line 3)")
    }

    @Test func duplicateKeysNestedInWithAreReportedForEveryKind() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                with:
                  options: { depth: 1, depth: 2 }
                  list: [{ k: 1 }, { k: 2, k: 3 }]
                  options: {}
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "6:28 duplicate key 'depth' (first at line 6)",
                "7:32 duplicate key 'k' (first at line 7)",
                "8:7 duplicate parameter 'options' (first at line 6)",
            ])
    }

    // MARK: Unset variables

    @Test func unsetVariableIsReportedAtItsScalar() {
        expectOne(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 1
                explorer: etherscan
                base_url: "${BASE}/v2/api"
                rate_limit: { per_second: 3 }
                confirmations: 12
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 6, column: 15,
            message: "environment variable BASE is not set", hint: "export BASE=... or use ${BASE:-default}")
    }

    @Test func unsetVariableInsideWithIsReportedOnceWithoutATypeError() {
        expectOne(
            """
            version: 1
            stages:
              - id: a
                uses: test/emit
                with:
                  rows: ${ROWS}
            """, line: 6, column: 13, message: "environment variable ROWS is not set")
    }

    // MARK: Missing required keys

    @Test func missingChainKeyPointsAtTheChainName() {
        expectOne(
            """
            version: 1
            \(ethereumChain.replacingOccurrences(of: "    explorer: etherscan\n", with: ""))
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 3, column: 3, message: "missing required key 'explorer' in chain 'ethereum'",
            hint: "add explorer: etherscan")
    }

    @Test func missingStageKindPointsAtTheStage() {
        expectOne(
            """
            version: 1
            stages:
              - id: a
                needs: []
            """, line: 3, column: 5, message: "missing required key 'uses' in stage 'a'", hint: "add uses: sql")
    }

    @Test func missingVersionAndStagesPointAtTheFileStart() {
        let found = diagnostics("name: x\n")
        #expect(
            found.map(\.message) == [
                "missing required key 'version' in the pipeline file",
                "missing required key 'stages' in the pipeline file",
            ])
        #expect(found.allSatisfy { $0.location.line == 1 && $0.location.column == 1 })
    }

    // MARK: Addresses

    @Test func invalidTokenAddress() {
        expectOne(
            """
            version: 1
            \(ethereumChain)
                tokens:
                  - { address: "0x1234", symbol: BAD }
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 10, column: 20, message: "invalid address '0x1234' for 'address'",
            hint: "0x followed by 40 hex digits")
    }

    @Test func invalidAndDuplicateAccounts() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain)
                accounts:
                  - "0x00000000000000000000000000000000000000ab"
                  - "0xzz000000000000000000000000000000000000ab"
                  - "0x00000000000000000000000000000000000000AB"
            stages:
              - { id: a, uses: test/unchecked }
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "11:9 invalid address '0xzz000000000000000000000000000000000000ab' for 'accounts'",
                "12:9 account 0x00000000000000000000000000000000000000ab is listed twice (first at line 10)",
            ])
    }

    // MARK: YAML syntax and version

    @Test func yamlSyntaxErrorUsesTheParserMark() {
        let found = diagnostics("version: 1\nstages:\n  - id: a\n    uses: [sql\n")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("yaml syntax error: ") == true)
        #expect(found.first.map { "\($0.location.line):\($0.location.column)" } == "5:1")
        #expect(found.first?.hint?.contains("indentation") == true)
    }

    @Test func tabIndentationIsASyntaxError() {
        let found = diagnostics("version: 1\nstages:\n\t- id: a\n")
        #expect(found.count == 1)
        #expect(found.first.map { "\($0.location.line):\($0.location.column)" } == "3:1")
        #expect(found.first?.message.contains("cannot start any token") == true)
        #expect(found.first?.hint == "indent with spaces: yaml does not allow tabs for indentation")
    }

    @Test func unknownVersion() {
        expectOne(
            """
            version: 2
            stages:
              - { id: a, uses: test/unchecked }
            """, line: 1, column: 10, message: "unsupported pipeline file version 2", hint: "version: 1")
    }

    @Test func emptyFile() {
        expectOne("# nothing here\n", line: 1, column: 1, message: "the pipeline file is empty")
    }

    // MARK: Stage ids, chain references, with: against the kind's schema

    @Test func invalidAndReservedStageIds() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - { id: "a b", uses: test/unchecked }
              - { id: failed, uses: test/unchecked }
            """)
        #expect(
            found.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
                "3:11 invalid stage id 'a b'", "4:11 the stage id 'failed' is reserved for --select failed",
            ])
    }

    @Test func unknownParameterSuggestsTheNearestOne() {
        expectOne(
            """
            version: 1
            stages:
              - id: daily
                uses: sql
                with: { fille: daily.sql, file: daily.sql }
            """, line: 5, column: 13, message: "unknown parameter 'fille' for stage kind 'sql'",
            hint: "did you mean 'file'?")
    }

    @Test func missingRequiredParameterWithoutWith() {
        expectOne(
            """
            version: 1
            stages:
              - id: daily
                uses: sql
            """, line: 3, column: 5, message: "missing required parameter 'file' for stage kind 'sql'",
            hint: "sql file, relative to the pipeline")
    }

    @Test func unknownParameterWithNothingCloseListsTheParametersAndNullRequiredIsMissing() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - id: daily
                uses: sql
                with:
                  file:
                  query: select 1
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message) / \($0.hint ?? "")" }
        #expect(
            summary == [
                "6:7 missing required parameter 'file' for stage kind 'sql' / add under 'with:' file: text (sql file, relative to the pipeline)",
                "7:7 unknown parameter 'query' for stage kind 'sql' / known parameters: file",
            ])
    }

    @Test func wrongParameterTypesPointAtTheValueOrTheListItem() {
        let found = diagnostics(
            """
            version: 1
            stages:
              - id: a
                uses: test/emit
                with:
                  rows: many
                  enabled: yes
                  ratio: 1e
                  columns: [a, { b: 1 }]
                  sources: [{ a: 1 }, x]
                  options: [1]
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "6:13 expected an integer for 'rows', found 'many'",
                "7:16 expected a boolean (true or false) for 'enabled', found 'yes'",
                "8:14 expected a number for 'ratio', found '1e'",
                "9:20 expected a list of strings for 'columns', found a mapping as item 2",
                "10:27 expected a list of mappings for 'sources', found 'x' as item 2",
                "11:16 expected a mapping for 'options', found a list",
            ])
    }

    @Test func withMustBeAMapping() {
        expectOne(
            """
            version: 1
            stages:
              - { id: a, uses: test/unchecked, with: [1] }
            """, line: 3, column: 42, message: "expected a mapping for 'with', found a list")
    }

    @Test func chainParametersMustNameDeclaredChains() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain)
            stages:
              - id: extract
                uses: extract/etherscan-logs
                with: { chains: [ethereum, etherium], primary: gnosis }
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message) / \($0.hint ?? "")" }
        #expect(
            summary == [
                "12:32 unknown chain 'etherium' in 'chains' / did you mean 'ethereum'?",
                "12:52 unknown chain 'gnosis' in 'primary' / known chains: ethereum",
            ])
    }

    // MARK: Other chain checks

    @Test func apiKeyEnvThatIsNotAVariableNameIsNotEchoed() {
        let found = diagnostics(
            """
            version: 1
            \(ethereumChain)
                api_key_env: ABC-123-SECRET-KEY
            stages:
              - { id: a, uses: test/unchecked }
            """)
        #expect(found.count == 1)
        #expect(found.first.map { "\($0.location.line):\($0.location.column)" } == "9:18")
        #expect(!"\(ConfigDiagnostics(found))".contains("SECRET"))
    }

    @Test func unknownExplorerAndBadURLAndRanges() {
        let found = diagnostics(
            """
            version: 1
            chains:
              ethereum:
                chain_id: 0
                explorer: etherscann
                base_url: ftp://example.com
                rate_limit: { per_second: 0 }
                confirmations: -1
                tokens: [{ address: "0xdAC17F958D2ee523a2206206994597C13D831ec7", decimals: 300 }]
            stages:
              - { id: a, uses: test/unchecked }
            """)
        let summary = found.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "4:15 chain_id must be positive, found 0",
                "5:15 unknown explorer 'etherscann'",
                "6:15 invalid base_url 'ftp://example.com': expected an http or https url",
                "7:31 per_second must be greater than 0",
                "8:20 confirmations must not be negative, found -1",
                "9:81 decimals must be between 0 and 255, found 300",
            ])
        #expect(found[1].hint == "did you mean 'etherscan'?")
    }

    // MARK: Everything at once

    @Test func everyProblemInAFileIsReportedInPositionOrder() throws {
        let file = try pipelineFixture("many-errors")
        let problems = PipelineValidator.validate(files: [file], environment: [:], catalog: TestCatalog())
        let summary = problems.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(
            summary == [
                "1:10 unsupported pipeline file version 2",
                "5:15 expected an integer for 'chain_id', found 'abc'",
                "6:15 unknown explorer 'etherscn'",
                "7:15 environment variable MISSING_BASE_URL is not set",
                "10:5 unknown key 'colour' in chain 'ethereum'",
                "12:20 invalid address '0x1234' for 'address'",
                "16:22 unknown chain 'etherium' in 'chains'",
                "18:11 unknown stage kind 'test/emitt'",
                "19:22 stage 'load' needs 'transform', which is not a stage of this pipeline",
                "20:9 duplicate stage id 'extract' (first declared at line 14)",
            ])
        #expect(problems.allSatisfy { $0.location.file == file.relativePath && $0.hint != nil })
        #expect(problems.first?.description.hasPrefix("\(file.relativePath):1:10: error: ") == true)
    }

    @Test func validatorReportsAMissingFileAndASharedPipelineName() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/pipeline.yaml")
        let fixture = try pipelineFixture("cycle")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("one.yaml")
        let second = directory.appendingPathComponent("two.yaml")
        let text = "version: 1\nname: shared\nstages:\n  - { id: a, uses: test/unchecked }\n"
        try text.write(to: first, atomically: true, encoding: .utf8)
        try text.write(to: second, atomically: true, encoding: .utf8)

        let problems = PipelineValidator.validate(
            files: [missing, first, second, fixture], environment: [:], catalog: TestCatalog())
        #expect(problems.count == 3)
        #expect(problems[0].location == SourceLocation(file: missing.relativePath, line: 1, column: 1))
        #expect(problems[0].message == "cannot read the pipeline file: no such file")
        #expect(problems[1].location.file == second.relativePath)
        #expect(problems[1].message == "pipeline name 'shared' is also used by \(first.relativePath)")
        #expect(problems[2].message.hasPrefix("dependency cycle"))
        #expect(PipelineValidator.validate(files: [first], environment: [:], catalog: TestCatalog()).isEmpty)
    }
}
