import ChainETLCore
import ChainETLTestSupport
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Export stage configuration")
struct ExportConfigurationTests {
    private static let sqlDirectory = ChainETLPackage.root.appendingPathComponent("pipelines/sql/export").path

    private func stage(_ with: String) throws -> Result<ExportStage, ConfigDiagnostic> {
        let file = URL(fileURLWithPath: "/tmp/exports-config-test/demo.yaml")
        let text = """
            version: 1
            name: demo
            stages:
              - id: export
                uses: export
                with:
            \(with)
            """
        let pipeline = try PipelineLoader.load(
            text: text, file: file, environment: [:], catalog: StageRegistry.withTestStages
        ).get()
        let spec = try #require(pipeline.stage(id: "export"))
        do {
            return .success(try ExportStage(spec: spec, pipeline: pipeline))
        } catch let diagnostic as ConfigDiagnostic {
            return .failure(diagnostic)
        }
    }

    @Test("the shipped queries load; root defaults to <workdir>/exports and resolves relative paths there")
    func loads() throws {
        let stage = try stage(
            """
                  summaries: [daily_token_volume, token_summary]
                  sql_dir: \(Self.sqlDirectory)
            """
        ).get()
        #expect(stage.configuration.queries.map(\.name) == ["daily_token_volume", "token_summary"])
        let workdir = URL(fileURLWithPath: "/srv/work")
        #expect(stage.configuration.rootDirectory(workdir: workdir).path == "/srv/work/exports")

        let rooted = try self.stage(
            """
                  summaries: [daily_token_volume]
                  sql_dir: \(Self.sqlDirectory)
                  root: shared/out
            """
        ).get()
        #expect(rooted.configuration.rootDirectory(workdir: workdir).path == "/srv/work/shared/out")
    }

    @Test(
        "a missing query, a repeated or malformed name is reported at the offending item",
        arguments: [
            ("[daily_token_volume, nope]", "nope.sql does not exist", 39),
            ("[daily_token_volume, daily_token_volume]", "listed twice", 39),
            ("[Daily-Volume]", "not a plain lowercase identifier", 19),
            ("[]", "lists no summaries", 18),
        ])
    func refuses(summaries: String, message: String, column: Int) throws {
        let result = try stage(
            """
                  summaries: \(summaries)
                  sql_dir: \(Self.sqlDirectory)
            """)
        guard case .failure(let diagnostic) = result else {
            Issue.record("expected a diagnostic for \(summaries)")
            return
        }
        #expect(diagnostic.message.contains(message), "\(diagnostic)")
        #expect(diagnostic.location.line == 7)
        #expect(diagnostic.location.column == column, "\(diagnostic.location)")
        #expect(diagnostic.location.file.hasSuffix("demo.yaml"))
    }
}
