import ChainETLCore
import ChainETLPostgres
import Foundation

/// Which migrations `run` and `migrate` apply.
///
/// The migrations built into the binary (`EmbeddedMigrations`, generated from `schemas/`) unless a
/// folder is named: `--schemas` (migrate), then `CHAINETL_SCHEMAS`. An installed `chainetl`
/// therefore migrates from any directory, and always with the schema its own code expects.
public enum MigrationSource {
    /// The migrator for an explicitly named folder, else `CHAINETL_SCHEMAS`, else the built-in set.
    public static func migrator(folder: URL? = nil, environment: [String: String]) throws -> Migrator {
        if let folder { return Migrator(directory: try checked(folder, named: "--schemas \(folder.path)")) }
        if let configured = environment["CHAINETL_SCHEMAS"], !configured.isEmpty {
            let url = URL(fileURLWithPath: configured, isDirectory: true)
            return Migrator(directory: try checked(url, named: "CHAINETL_SCHEMAS=\(configured)"))
        }
        return Migrator(source: .embedded(EmbeddedMigrations.all, origin: builtIn))
    }

    /// How messages name the built-in set.
    static let builtIn = "the migrations built into chainetl \(ChainETLVersion.string)"

    private static func checked(_ url: URL, named: String) throws -> URL {
        var flag: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &flag), flag.boolValue else {
            throw RunnerError.usage("\(named) is not a folder; point it at a folder of NNNN_name.sql migrations")
        }
        return url
    }
}
