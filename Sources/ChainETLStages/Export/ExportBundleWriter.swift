import ChainETLCore
import ChainETLPostgres
import Foundation
import Logging

/// Writes one partition's export bundle: each summary as `<name>.csv` and `<name>.ndjson.gz`,
/// then `manifest.json`, in a temporary directory renamed to `<root>/<pipeline>/<partition>/`.
///
/// Every summary is read in one `REPEATABLE READ READ ONLY` transaction, so the files and the
/// provenance describe one snapshot. Rows are streamed through a server-side cursor in batches
/// of `fetchSize`: memory stays flat whatever the summary's size.
struct ExportBundleWriter {
    /// What the bundle is about, besides the queries.
    struct Request {
        var pipeline: String
        var chains: [ChainSpec]
        var partition: PartitionDay
        var runID: String
        var stageID: String
        /// Upstream stage id → checkpoint content hash.
        var inputs: [String: String]
        /// The export time (`generated_at`, freshness).
        var now: Date
    }

    var queries: [ExportQuery]
    var root: URL
    /// Rows fetched from the cursor at a time.
    var fetchSize = 1000
    /// zlib level of the NDJSON files: bundles are downloaded more often than written.
    var compressionLevel: Int32 = 6

    /// Exports every summary and publishes the bundle; returns its manifest.
    func write(_ request: Request, connection: PostgresConnection, logger: Logger) throws -> ExportManifest {
        let directory = try ExportDirectory(
            root: root, pipeline: request.pipeline, partition: request.partition.description)
        let bindings = ExportBindings(partition: request.partition, pipeline: request.pipeline)
        // Column types first: the probe needs a writable transaction, the export a read-only one.
        let layouts = try queries.map { try layout(of: $0, connection: connection) }
        let (chains, summaries) = try connection.transaction {
            for statement in Self.sessionStatements {
                try connection.execute(SQLQuery(unsafeSQL: statement))
            }
            let chains = try ExportProvenance.chains(
                request.chains, partition: request.partition, connection: connection)
            var summaries: [ExportManifest.Summary] = []
            for (query, layout) in zip(queries, layouts) {
                let started = ContinuousClock.now
                let summary = try exportSummary(
                    query, layout: layout, bindings: bindings, connection: connection, directory: directory)
                logger.info(
                    "export summary written",
                    metadata: [
                        "export.summary": "\(query.name)", "rows.count": "\(summary.rows)",
                        "duration.ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
                    ])
                summaries.append(summary)
            }
            return (chains, summaries)
        }
        var manifest = ExportManifest(
            format: ExportManifest.currentFormat, runID: request.runID, pipeline: request.pipeline,
            partition: request.partition.description, stageID: request.stageID,
            generatedAt: UTCTimestamp.iso8601(request.now), chainetlVersion: ChainETLVersion.string,
            freshness: ExportProvenance.freshness(partition: request.partition, now: request.now),
            chains: chains, inputs: request.inputs,
            summaries: summaries.map { summary in
                var summary = summary
                summary.pandas = ExportLoaders.pandas(summary.columns)
                return summary
            })
        var loaders: [ExportManifest.Loader] = []
        for (name, text) in [
            (ExportLoaders.duckdbFileName, ExportLoaders.duckdb(summaries)),
            (ExportLoaders.psqlFileName, ExportLoaders.psql(summaries)),
            (ExportLoaders.pandasFileName, ExportLoaders.pandasScript),
        ] {
            let loader = try HashingFileWriter(path: directory.temporaryPath(name))
            try loader.write(Array(text.utf8))
            let written = try loader.finish()
            loaders.append(ExportManifest.Loader(name: name, bytes: written.bytes, sha256: written.sha256))
        }
        manifest.loaders = loaders
        let path = directory.temporaryPath(ExportManifest.fileName)
        let writer = try HashingFileWriter(path: path)
        do {
            try writer.write(Array(try manifest.encoded()))
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError.compression(path: path, underlying: error)
        }
        _ = try writer.finish()
        try directory.publish()
        logger.info(
            "export bundle published",
            metadata: ["export.directory": "\(directory.destination.path)", "export.summaries": "\(summaries.count)"])
        return manifest
    }

    /// Makes every value's text form fixed: UTC timestamps, ISO dates, one consistent snapshot.
    static let sessionStatements = [
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        "SET LOCAL TimeZone TO 'UTC'",
        "SET LOCAL DateStyle TO 'ISO, YMD'",
        "SET LOCAL IntervalStyle TO 'iso_8601'",
    ]

    /// A summary's columns with their export kinds and the positions of its key columns.
    struct Layout {
        var columns: [ExportManifest.Column]
        var kinds: [ExportColumnKind]
        var keyIndexes: Set<Int>
    }

    /// Probes the query's result columns and checks them against its header.
    private func layout(of query: ExportQuery, connection: PostgresConnection) throws -> Layout {
        var columns: [ExportManifest.Column]
        do {
            columns = try describe(query, probed: try ExportCursor.columns(of: query.sql, connection: connection))
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError.queryFailed(summary: query.name, path: query.path, underlying: error)
        }
        let kinds = try columns.map { column in
            guard let kind = ExportColumnKind(postgresType: column.type) else {
                throw ExportError.inexactColumn(
                    summary: query.name, path: query.path, column: column.name, type: column.type)
            }
            return kind
        }
        for index in columns.indices where kinds[index] == .text {
            columns[index].formulaEscaped = true
        }
        let keyIndexes = Set(query.key.compactMap { key in columns.firstIndex { $0.name == key } })
        return Layout(columns: columns, kinds: kinds, keyIndexes: keyIndexes)
    }

    /// Streams one summary into its CSV and NDJSON files.
    private func exportSummary(
        _ query: ExportQuery, layout: Layout, bindings: ExportBindings, connection: PostgresConnection,
        directory: ExportDirectory
    ) throws -> ExportManifest.Summary {
        let columns = layout.columns
        let kinds = layout.kinds
        let keyIndexes = layout.keyIndexes
        let csvName = "\(query.name).csv"
        let ndjsonName = "\(query.name).ndjson.gz"
        let csvFile = try HashingFileWriter(path: directory.temporaryPath(csvName))
        let ndjsonPath = directory.temporaryPath(ndjsonName)
        let ndjsonFile: GzipLineWriter
        do {
            ndjsonFile = try GzipLineWriter(path: ndjsonPath, level: compressionLevel)
        } catch {
            throw ExportError.compression(path: ndjsonPath, underlying: error)
        }

        var csv = CSVRowBuilder(capacity: 64 * 1024)
        for column in columns { csv.field(column.name) }
        csv.endRow()
        var line = JSONLineWriter(capacity: 4096)
        var rowCount = 0
        let cursor = ExportCursor(sql: query.sql, bindings: bindings, fetchSize: fetchSize)
        do {
            try cursor.forEachBatch(connection: connection) { rows in
                guard rows.columnNames == columns.map(\.name) else {
                    throw ExportError.columnsChanged(summary: query.name, path: query.path)
                }
                for row in 0..<rows.count {
                    line.reset()
                    line.beginObject()
                    for (index, column) in columns.enumerated() {
                        var text: String?
                        if let value = rows.value(row: row, column: index) {
                            guard let formatted = ExportValueFormatter.text(value, kind: kinds[index]) else {
                                throw ExportError.unexpectedValue(
                                    summary: query.name, column: column.name, type: column.type, value: value)
                            }
                            text = formatted
                        } else if keyIndexes.contains(index) {
                            throw ExportError.nullKey(summary: query.name, path: query.path, column: column.name)
                        }
                        if let text {
                            csv.field(kinds[index] == .text ? CSVFormulaGuard.escaped(text) : text)
                        } else {
                            csv.null()
                        }
                        ExportValueFormatter.appendJSON(name: column.name, text, kind: kinds[index], to: &line)
                    }
                    line.endObject()
                    csv.endRow()
                    do {
                        try ndjsonFile.append(line)
                    } catch {
                        throw ExportError.compression(path: ndjsonPath, underlying: error)
                    }
                    rowCount += 1
                }
                try csvFile.write(csv.bytes)
                csv.reset()
            }
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError.queryFailed(summary: query.name, path: query.path, underlying: error)
        }
        let csvSummary = try csvFile.finish()
        let gzipSummary: GzipFileSummary
        do {
            gzipSummary = try ndjsonFile.finish()
        } catch {
            throw ExportError.compression(path: ndjsonPath, underlying: error)
        }
        return ExportManifest.Summary(
            name: query.name, description: query.description, key: query.key, columns: columns, rows: rowCount,
            files: [
                ExportManifest.File(
                    name: csvName, format: "csv", rows: rowCount, bytes: csvSummary.bytes, sha256: csvSummary.sha256),
                ExportManifest.File(
                    name: ndjsonName, format: "ndjson.gz", rows: rowCount, bytes: gzipSummary.compressedBytes,
                    sha256: gzipSummary.sha256),
            ],
            querySHA256: query.sha256)
    }

    /// Matches the result columns against the header: every column described, every described
    /// column returned, no column twice.
    private func describe(_ query: ExportQuery, probed: [(name: String, type: String)]) throws(ExportError)
        -> [ExportManifest.Column]
    {
        var seen = Set<String>()
        var columns: [ExportManifest.Column] = []
        for (name, type) in probed {
            guard seen.insert(name).inserted else {
                throw .duplicateColumn(summary: query.name, path: query.path, column: name)
            }
            guard let description = query.description(ofColumn: name) else {
                throw .undescribedColumn(summary: query.name, path: query.path, column: name)
            }
            columns.append(ExportManifest.Column(name: name, type: type, description: description))
        }
        for described in query.columnDescriptions where !seen.contains(described.name) {
            throw .missingColumn(summary: query.name, path: query.path, column: described.name)
        }
        return columns
    }
}
