import Testing

@testable import ChainETLCore

@Suite("StageGraph")
struct StageGraphTests {
    /// extract → normalize → load → {daily, weekly} → report, plus an independent `prices`.
    let graph: StageGraph

    init() throws {
        graph = try StageGraph(edges: [
            ("report", ["daily", "weekly"]),
            ("daily", ["load"]),
            ("prices", []),
            ("load", ["normalize"]),
            ("extract", []),
            ("weekly", ["load", "prices"]),
            ("normalize", ["extract"]),
        ])
    }

    @Test func topologicalOrderTakesReadyStagesInFileOrder() {
        #expect(graph.ids == ["report", "daily", "prices", "load", "extract", "weekly", "normalize"])
        #expect(graph.order == ["prices", "extract", "normalize", "load", "daily", "weekly", "report"])
    }

    @Test func orderIsStableForIndependentStages() throws {
        let independent = try StageGraph(edges: [("c", []), ("a", []), ("b", [])])
        #expect(independent.order == ["c", "a", "b"])
        let chain = try StageGraph(edges: [("load", ["extract"]), ("extract", []), ("report", [])])
        #expect(chain.order == ["extract", "load", "report"])
    }

    @Test func upstreamAndDownstreamAreTransitiveClosuresInOrder() {
        #expect(graph.upstream(of: "report") == ["prices", "extract", "normalize", "load", "daily", "weekly"])
        #expect(graph.upstream(of: "weekly") == ["prices", "extract", "normalize", "load"])
        #expect(graph.upstream(of: "extract") == [])
        #expect(graph.downstream(of: "load") == ["daily", "weekly", "report"])
        #expect(graph.downstream(of: "prices") == ["weekly", "report"])
        #expect(graph.downstream(of: "report") == [])
        #expect(graph.needs(of: "weekly") == ["load", "prices"])
        #expect(graph.dependents(of: "load") == ["daily", "weekly"])
        #expect(graph.sortedTopologically(["report", "extract", "nope", "extract"]) == ["extract", "report"])
    }

    @Test func cycleIsRejectedWithItsPath() {
        #expect(throws: StageGraphError.cycle(path: ["a", "c", "b", "a"])) {
            try StageGraph(edges: [("a", ["c"]), ("b", ["a"]), ("c", ["b"]), ("d", ["a"])])
        }
        #expect(throws: StageGraphError.cycle(path: ["x", "x"])) {
            try StageGraph(edges: [("x", ["x"])])
        }
    }

    @Test func cyclesAreFoundOncePerComponentWithTheShortestPath() {
        let cycles = StageGraph.cycles([
            ("a", ["b"]), ("b", ["c", "a"]), ("c", ["a"]),
            ("d", []), ("e", ["f"]), ("f", ["e", "missing"]),
        ])
        #expect(cycles == [["a", "b", "a"], ["e", "f", "e"]])
        #expect(StageGraph.cycles([("a", []), ("b", ["a"])]).isEmpty)
    }

    @Test func longChainsNeitherOverflowNorFalselyCycle() throws {
        let edges = (0..<5_000).map { index in ("s\(index)", index == 0 ? [] : ["s\(index - 1)"]) }
        let long = try StageGraph(edges: edges.reversed())
        #expect(long.order.first == "s0")
        #expect(long.order.last == "s4999")
        #expect(long.upstream(of: "s4999").count == 4_999)
    }

    @Test func duplicateAndUnknownStagesAreRejected() {
        #expect(throws: StageGraphError.duplicateStage("a")) { try StageGraph(edges: [("a", []), ("a", [])]) }
        #expect(throws: StageGraphError.unknownDependency(stage: "a", needs: "b")) {
            try StageGraph(edges: [("a", ["b"])])
        }
    }

    @Test func buildsFromLoadedStages() throws {
        let loaded = try spec(
            """
            version: 1
            stages:
              - { id: load, uses: test/unchecked, needs: [extract] }
              - { id: extract, uses: test/unchecked }
            """)
        #expect(try StageGraph(stages: loaded.stages).order == ["extract", "load"])
    }

    @Test func errorsDescribeWhatToDo() {
        #expect(
            StageGraphError.cycle(path: ["a", "b", "a"]).description
                == "dependency cycle: a -> b -> a (each stage needs the next); remove one of these needs")
        #expect(
            StageGraphError.unknownStage(selector: "lod+", id: "lod", suggestion: "load").description
                == "selector 'lod+': no stage 'lod' in this pipeline; did you mean 'load'?")
    }
}
