import ChainETLPostgres
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("migrations built into the binary")
struct EmbeddedMigrationsTests {
    @Test("are exactly schemas/, byte for byte (regenerate with `make migrations`)")
    func matchSchemasFolder() throws {
        let files = try Migrator(directory: URL(fileURLWithPath: RunnerFixture.schemas)).migrations()
        let embedded = try Migrator(source: .embedded(EmbeddedMigrations.all, origin: "embedded")).migrations()
        #expect(!files.isEmpty)
        #expect(embedded.map(\.name) == files.map(\.name), "run `make migrations` after changing schemas/")
        for (built, file) in zip(embedded, files) {
            #expect(built == file, "\(file.name) differs from its embedded copy; run `make migrations`")
        }
    }

    @Test("are used unless a folder is named")
    func defaultSource() throws {
        let builtIn = try MigrationSource.migrator(environment: [:])
        guard case .embedded = builtIn.source else {
            Issue.record("expected the built-in migrations, got \(builtIn.source)")
            return
        }
        let named = try MigrationSource.migrator(environment: ["CHAINETL_SCHEMAS": RunnerFixture.schemas])
        #expect(named.source == .directory(URL(fileURLWithPath: RunnerFixture.schemas, isDirectory: true)))
        #expect(throws: RunnerError.self) {
            try MigrationSource.migrator(environment: ["CHAINETL_SCHEMAS": "/nonexistent/schemas"])
        }
    }
}
