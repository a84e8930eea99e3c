import Foundation

/// A throwaway schema in the `DATABASE_URL` database, driven through the `psql` binary.
///
/// Used until the ChainETLPostgres connection lands; every script runs in one transaction with
/// `ON_ERROR_STOP`, with `search_path` set to the schema so unqualified migrations land in it.
struct PSQLScratchSchema: Sendable {
    /// A psql run that failed, with its stderr (never the connection string).
    struct Failure: Error, CustomStringConvertible {
        var status: Int32
        var stderr: String
        var description: String { "psql exited with status \(status): \(stderr)" }
    }

    let schema: String
    private let databaseURL: String
    private let psql: String

    /// Creates a uniquely named schema; `DATABASE_URL` must be set (`.ci/with-postgres -- …`).
    init(prefix: String) throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw Failure(
                status: -1,
                stderr: "DATABASE_URL is not set; run the tests via .ci/with-postgres -- swift test … or make test")
        }
        databaseURL = url
        psql = try Self.locatePSQL()
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        schema = "\(prefix)_\(suffix)"
        _ = try run(script: "CREATE SCHEMA \(schema);\n", searchPath: "public", singleTransaction: true)
    }

    /// Runs `script` in one transaction with the session time zone `timeZone`.
    func execute(_ script: String, timeZone: String = "UTC") throws {
        _ = try run(script: "SET TimeZone = '\(timeZone)';\n" + script, searchPath: schema, singleTransaction: true)
    }

    /// The rows of `query` (run with TimeZone UTC), each as its columns joined by `|`.
    func rows(_ query: String) throws -> [String] {
        let output = try run(
            script: "SET TimeZone = 'UTC';\n" + query + ";\n", searchPath: schema, singleTransaction: true)
        return output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// The single value of `query`.
    func value(_ query: String) throws -> String {
        try rows(query).joined(separator: "\n")
    }

    /// Runs `script` without wrapping it in a transaction (for scripts that manage their own).
    func executeOutsideTransaction(_ script: String) throws {
        _ = try run(script: script, searchPath: schema, singleTransaction: false)
    }

    func drop() throws {
        _ = try run(script: "DROP SCHEMA \(schema) CASCADE;\n", searchPath: "public", singleTransaction: true)
    }

    private func run(script: String, searchPath: String, singleTransaction: Bool) throws -> String {
        let directory = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let scriptURL = directory.appendingPathComponent("chainetl-psql-\(token).sql")
        let outURL = directory.appendingPathComponent("chainetl-psql-\(token).out")
        let errURL = directory.appendingPathComponent("chainetl-psql-\(token).err")
        defer {
            for url in [scriptURL, outURL, errURL] { try? FileManager.default.removeItem(at: url) }
        }
        try Data(script.utf8).write(to: scriptURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        var arguments = [databaseURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "|", "-f", scriptURL.path]
        if singleTransaction { arguments.append("--single-transaction") }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGOPTIONS"] = "-c search_path=\(searchPath) -c client_min_messages=warning"
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()

        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
            throw Failure(status: process.terminationStatus, stderr: stderr)
        }
        return stdout
    }

    private static func locatePSQL() throws -> String {
        let fileManager = FileManager.default
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where fileManager.isExecutableFile(atPath: "\(directory)/psql") {
            return "\(directory)/psql"
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted().reversed()
        where fileManager.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/psql") {
            return "/usr/lib/postgresql/\(version)/bin/psql"
        }
        throw Failure(status: -1, stderr: "psql not found on PATH or under /usr/lib/postgresql; run make setup")
    }
}
