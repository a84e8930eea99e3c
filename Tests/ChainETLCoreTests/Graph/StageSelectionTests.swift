import Testing

@testable import ChainETLCore

@Suite("StageSelection: --select id, id+, +id, failed")
struct StageSelectionTests {
    /// extract → normalize → load → {daily, weekly} → report, plus `prices` feeding weekly.
    let graph: StageGraph

    init() throws {
        graph = try StageGraph(edges: [
            ("extract", []),
            ("normalize", ["extract"]),
            ("load", ["normalize"]),
            ("prices", []),
            ("daily", ["load"]),
            ("weekly", ["load", "prices"]),
            ("report", ["daily", "weekly"]),
        ])
    }

    private func select(_ selectors: [String], failed: Set<String> = []) throws -> [String] {
        try StageSelection.resolve(selectors, in: graph, failedStages: failed)
    }

    @Test func noSelectorSelectsEverything() throws {
        #expect(try select([]) == graph.order)
    }

    @Test func plainIdSelectsOnlyThatStage() throws {
        #expect(try select(["load"]) == ["load"])
    }

    @Test func trailingPlusAddsEverythingDownstream() throws {
        #expect(try select(["load+"]) == ["load", "daily", "weekly", "report"])
        #expect(try select(["report+"]) == ["report"])
    }

    @Test func leadingPlusAddsEverythingUpstream() throws {
        #expect(try select(["+weekly"]) == ["extract", "normalize", "load", "prices", "weekly"])
        #expect(try select(["+extract"]) == ["extract"])
    }

    @Test func bothPlusesAddBothSides() throws {
        #expect(try select(["+daily+"]) == ["extract", "normalize", "load", "daily", "report"])
    }

    @Test func failedResolvesFromTheCallersSet() throws {
        #expect(try select(["failed"], failed: ["daily", "normalize"]) == ["normalize", "daily"])
        #expect(try select(["failed+"], failed: ["weekly"]) == ["weekly", "report"])
        #expect(try select(["failed"], failed: []) == [])
        #expect(try select(["failed"], failed: ["renamed-stage", "prices"]) == ["prices"])
    }

    @Test func severalSelectorsUnionInTopologicalOrder() throws {
        #expect(try select(["report", "prices", "extract"]) == ["extract", "prices", "report"])
        #expect(
            try select(["daily+", "+normalize", "failed"], failed: ["prices"]) == [
                "extract", "normalize", "prices", "daily", "report",
            ])
        #expect(try select(["load", "load"]) == ["load"])
    }

    @Test func unknownIdSuggestsTheNearest() {
        #expect(throws: StageGraphError.unknownStage(selector: "+lod", id: "lod", suggestion: "load")) {
            try select(["+lod"])
        }
        #expect(throws: StageGraphError.unknownStage(selector: "zzzzzz", id: "zzzzzz", suggestion: nil)) {
            try select(["report", "zzzzzz"])
        }
    }

    @Test(arguments: ["", "+", "++", "a+b", "++load", "load++", "lo ad"])
    func malformedSelectorsAreRejected(text: String) {
        #expect(throws: StageGraphError.invalidSelector(text)) { try StageSelector(parsing: text) }
    }

    @Test func selectorsParseAndPrintBack() throws {
        let parsed = try ["load", "load+", "+load", "+load+", "failed", "+failed"].map(StageSelector.init(parsing:))
        #expect(parsed.map(\.description) == ["load", "load+", "+load", "+load+", "failed", "+failed"])
        #expect(parsed[1] == StageSelector(target: .stage("load"), includesDownstream: true))
        #expect(parsed[4].target == .failed)
    }
}
