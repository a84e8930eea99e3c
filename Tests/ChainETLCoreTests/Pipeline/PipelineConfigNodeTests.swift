import Foundation
import Testing

@testable import ChainETLCore

@Suite("ConfigNode typed accessors")
struct PipelineConfigNodeTests {
    let parameters: ConfigNode

    init() throws {
        let loaded = try spec(
            """
            version: 1
            stages:
              - id: a
                uses: test/unchecked
                with:
                  text: hello
                  count: -42
                  ratio: 1.5e2
                  flag: TRUE
                  names: [a, "b"]
                  nested: { key: value }
                  items: [{ x: 1 }, { x: 2 }]
                  nothing: ~
            """)
        parameters = loaded.stages[0].parameters
    }

    @Test func readsEachType() throws {
        #expect(try parameters.string("text") == "hello")
        #expect(try parameters.integer("count") == -42)
        #expect(try parameters.number("ratio") == 150)
        #expect(try parameters.boolean("flag") == true)
        #expect(try parameters.stringList("names") == ["a", "b"])
        #expect(try parameters.mapping("nested")?.string("key") == "value")
        #expect(try parameters.mappingList("items")?.map { try $0.requiredInteger("x") } == [1, 2])
        #expect(try parameters.string("count") == "-42")
    }

    @Test func absentAndNullKeysAreNil() throws {
        #expect(try parameters.string("absent") == nil)
        #expect(try parameters.integer("nothing") == nil)
        #expect(parameters.node("nothing") == nil)
        #expect(try parameters.stringList("absent") == nil)
    }

    @Test func wrongTypeThrowsAtTheValue() {
        #expect(
            throws: ConfigDiagnostic(
                location: SourceLocation(file: "test.yaml", line: 6, column: 13),
                message: "expected an integer for 'text'", hint: "text: 100 (a whole number, no quotes or units)")
        ) {
            try parameters.integer("text")
        }
        #expect(throws: ConfigDiagnostic.self) { try parameters.boolean("count") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.string("names") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.mapping("names") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.mappingList("names") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.stringList("items") }
    }

    @Test func requiredAccessorsThrowAtTheMappingWhenMissing() {
        let error = #expect(throws: ConfigDiagnostic.self) { try parameters.requiredString("file") }
        #expect(error?.location == SourceLocation(file: "test.yaml", line: 6, column: 7))
        #expect(error?.message == "missing required parameter 'file'")
        #expect(error?.hint == "add file: text")
        #expect(throws: ConfigDiagnostic.self) { try parameters.requiredNumber("absent") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.requiredBoolean("absent") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.requiredStringList("absent") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.requiredMapping("absent") }
        #expect(throws: ConfigDiagnostic.self) { try parameters.requiredMappingList("absent") }
    }

    @Test func scalarParsingIsStrict() {
        #expect(ConfigNode.parseInteger("12") == 12)
        #expect(ConfigNode.parseInteger("+12") == 12)
        #expect(ConfigNode.parseInteger("0x10") == nil)
        #expect(ConfigNode.parseInteger("1_000") == nil)
        #expect(ConfigNode.parseInteger("99999999999999999999") == nil)
        #expect(ConfigNode.parseNumber("-.5") == -0.5)
        #expect(ConfigNode.parseNumber("2.") == 2)
        #expect(ConfigNode.parseNumber("1E-2") == 0.01)
        #expect(ConfigNode.parseNumber("inf") == nil)
        #expect(ConfigNode.parseNumber("nan") == nil)
        #expect(ConfigNode.parseNumber(".") == nil)
        #expect(ConfigNode.parseNumber("1e") == nil)
        #expect(ConfigNode.parseBoolean("yes") == nil)
        #expect(ConfigNode.parseBoolean("False") == false)
    }

    @Test func nearestNameFindsTyposOnly() {
        #expect(NearestName.nearest(to: "chainid", in: PipelineLoader.chainKeys) == "chain_id")
        #expect(NearestName.nearest(to: "CONFIRMATIONS", in: PipelineLoader.chainKeys) == "confirmations")
        #expect(NearestName.nearest(to: "foo", in: PipelineLoader.chainKeys) == nil)
        #expect(NearestName.editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)) == 3)
    }
}
