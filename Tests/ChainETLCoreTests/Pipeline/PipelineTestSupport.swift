import Foundation
import Testing

@testable import ChainETLCore

/// A small catalog standing in for the stage registry.
struct TestCatalog: StageKindCatalog {
    let knownKinds = ["test/emit", "test/unchecked", "sql", "extract/etherscan-logs"]

    func parameterSchema(forKind kind: String) -> StageParameterSchema? {
        switch kind {
        case "test/emit":
            return StageParameterSchema(parameters: [
                StageParameter(name: "rows", type: .integer, required: true, description: "rows to emit"),
                StageParameter(name: "label", type: .string, description: "a label"),
                StageParameter(name: "ratio", type: .number, description: "a ratio"),
                StageParameter(name: "enabled", type: .boolean, description: "a flag"),
                StageParameter(name: "columns", type: .stringList, description: "column names"),
                StageParameter(name: "options", type: .mapping, description: "free options"),
                StageParameter(name: "sources", type: .mappingList, description: "sources"),
                StageParameter(name: "anything", type: .any, description: "anything"),
            ])
        case "sql":
            return StageParameterSchema(parameters: [
                StageParameter(
                    name: "file", type: .string, required: true, description: "sql file, relative to the pipeline")
            ])
        case "extract/etherscan-logs":
            return StageParameterSchema(parameters: [
                StageParameter(name: "chains", type: .chainList, required: true, description: "chains to extract"),
                StageParameter(name: "primary", type: .chain, description: "one chain"),
            ])
        default:
            return nil
        }
    }
}

/// Loads inline YAML as if it were the file `test.yaml`.
func loadPipeline(_ yaml: String, environment: [String: String] = [:]) -> Result<PipelineSpec, ConfigDiagnostics> {
    PipelineLoader.load(
        text: yaml, file: URL(fileURLWithPath: "test.yaml"), environment: environment, catalog: TestCatalog())
}

/// The diagnostics of inline YAML that must fail to load.
func diagnostics(_ yaml: String, environment: [String: String] = [:]) -> [ConfigDiagnostic] {
    switch loadPipeline(yaml, environment: environment) {
    case .success: return []
    case .failure(let problems): return problems.diagnostics
    }
}

/// The spec of inline YAML that must load.
func spec(_ yaml: String, environment: [String: String] = [:]) throws -> PipelineSpec {
    try loadPipeline(yaml, environment: environment).get()
}

/// A fixture under `Fixtures/pipelines/`.
func pipelineFixture(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Fixtures/pipelines"))
}

/// A minimal valid chains section (lines 2-8 of a document that starts with `version: 1`).
let ethereumChain = """
    chains:
      ethereum:
        chain_id: 1
        explorer: etherscan
        base_url: https://api.etherscan.io/v2/api
        rate_limit: { per_second: 3 }
        confirmations: 12
    """
