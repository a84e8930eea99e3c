import ChainETLPostgres

/// The typed loaders shipped in every export bundle (docs/exports.md "Loading a bundle"):
/// `load.duckdb.sql`, `load.psql.sql` and `load_pandas.py`, generated from the manifest's columns
/// so that an exact, typed load is one line.
///
/// Type choices: integers keep their width; `numeric` columns named `*_raw` (uint256 amounts and
/// their sums, up to 78+ digits, past DECIMAL(38) and HUGEINT) are DuckDB `BIGNUM` and Python
/// ints; other `numeric` columns (decimal-adjusted and USD amounts, up to 78 digits before the
/// point) are exact text in DuckDB and `decimal.Decimal` in pandas; dates and timestamps are typed.
enum ExportLoaders {
    static let duckdbFileName = "load.duckdb.sql"
    static let psqlFileName = "load.psql.sql"
    static let pandasFileName = "load_pandas.py"

    /// What a column becomes in the loaders.
    enum Target: Equatable {
        case integer(duckdb: String)
        case bigInteger
        case decimal
        case boolean
        case date
        case timestampUTC
        case timestampLocal
        case text

        init(_ column: ExportManifest.Column) {
            let base = ExportColumnKind.baseName(column.type)
            switch ExportColumnKind(postgresType: column.type) ?? .text {
            case .integer:
                self = .integer(duckdb: ["smallint": "SMALLINT", "integer": "INTEGER"][base] ?? "BIGINT")
            case .numeric: self = column.name.hasSuffix("_raw") ? .bigInteger : .decimal
            case .boolean: self = .boolean
            case .date: self = .date
            case .timestampUTC: self = .timestampUTC
            case .timestampLocal: self = .timestampLocal
            case .json, .text: self = .text
            }
        }

        var duckdb: String {
            switch self {
            case .integer(let type): type
            case .bigInteger: "BIGNUM"
            case .decimal, .text: "VARCHAR"
            case .boolean: "BOOLEAN"
            case .date: "DATE"
            case .timestampUTC: "TIMESTAMPTZ"
            case .timestampLocal: "TIMESTAMP"
            }
        }
    }

    /// The `pandas` block of a summary in the manifest.
    static func pandas(_ columns: [ExportManifest.Column]) -> ExportManifest.Pandas {
        var dtype: [String: String] = [:]
        var parseDates: [String] = []
        var exact: [String: String] = [:]
        for column in columns {
            switch Target(column) {
            case .integer: dtype[column.name] = "Int64"
            case .boolean: dtype[column.name] = "boolean"
            case .date, .timestampUTC, .timestampLocal: parseDates.append(column.name)
            case .bigInteger:
                dtype[column.name] = "str"
                exact[column.name] = "int"
            case .decimal:
                dtype[column.name] = "str"
                exact[column.name] = "decimal"
            case .text: dtype[column.name] = "str"
            }
        }
        return ExportManifest.Pandas(dtype: dtype, parseDates: parseDates, exact: exact)
    }

    /// `load.duckdb.sql`: one `CREATE OR REPLACE TABLE … AS SELECT … FROM read_csv(…)` per summary,
    /// with every column's type given and nothing sniffed. Run from the bundle directory.
    static func duckdb(_ summaries: [ExportManifest.Summary]) -> String {
        var out = """
            -- chainetl export bundle: every summary as a typed DuckDB table.
            -- Run from this directory: duckdb analytics.duckdb < load.duckdb.sql (docs/exports.md).
            -- Raw amounts (*_raw) are BIGNUM (exact at any size); other numeric columns are exact text.

            """
        for summary in summaries {
            let types = summary.columns.map { "\(literal($0.name)): \(literal(Target($0).duckdb))" }
            let unescapes = summary.columns.filter { $0.formulaEscaped == true }.map { column in
                let name = SQLIdentifier.quote(column.name)
                return "CASE WHEN regexp_matches(\(name), \(formulaPattern)) THEN substr(\(name), 2) ELSE \(name) END AS \(name)"
            }
            let replace = unescapes.isEmpty ? "" : " REPLACE (\(unescapes.joined(separator: ", ")))"
            out += """
                CREATE OR REPLACE TABLE \(SQLIdentifier.quote(summary.name)) AS
                SELECT *\(replace) FROM read_csv(\(literal(summary.name + ".csv")), header = true, delim = ',', quote = '"', escape = '"',
                    allow_quoted_nulls = false, auto_detect = false,
                    columns = {\(types.joined(separator: ", "))});

                """
        }
        return out
    }

    /// `load.psql.sql`: in one transaction, per summary a `CREATE TABLE` with the manifest's
    /// Postgres types and key, then `\copy` from the CSV. Run with psql from the bundle directory.
    static func psql(_ summaries: [ExportManifest.Summary]) -> String {
        var out = """
            -- chainetl export bundle: every summary as a table of the first schema on search_path.
            -- Run from this directory: psql "$DATABASE_URL" -f load.psql.sql (docs/exports.md).
            -- The tables must not exist yet; to add bundles to existing tables use chainetl import.
            \\set ON_ERROR_STOP on
            BEGIN;

            """
        for summary in summaries {
            let table = SQLIdentifier.quote(summary.name)
            let columns = summary.columns.map { "    \(SQLIdentifier.quote($0.name)) \($0.type)" }
            let key = summary.key.map(SQLIdentifier.quote).joined(separator: ", ")
            out += """
                CREATE TABLE \(table) (
                \((columns + ["    PRIMARY KEY (\(key))"]).joined(separator: ",\n"))
                );
                \\copy \(table) FROM \(literal(summary.name + ".csv")) WITH (FORMAT csv, HEADER true)

                """
            for column in summary.columns where column.formulaEscaped == true {
                let name = SQLIdentifier.quote(column.name)
                out += "UPDATE \(table) SET \(name) = substr(\(name), 2) WHERE \(name) ~ \(formulaPattern);\n"
            }
        }
        return out + "COMMIT;\n"
    }

    /// `load_pandas.py`: reads the manifest next to it and loads a summary with exact types.
    static let pandasScript = #"""
        """Loads this chainetl export bundle's CSV files into pandas with exact types (docs/exports.md).

            import runpy
            load = runpy.run_path("exports/demo/2026-11-30/load_pandas.py")["load"]
            df = load("token_summary")

        Types come from manifest.json (each summary's "pandas" block): integers Int64, booleans boolean,
        dates and timestamps datetime64 (UTC for timestamps with time zone), raw amounts (*_raw) exact
        Python ints, other numeric columns decimal.Decimal, text exactly as in the database (the CSV's
        spreadsheet escape of text starting with = + - @ tab CR removed).
        """

        import decimal
        import json
        import os

        import pandas as pd

        HERE = os.path.dirname(os.path.abspath(__file__))
        EXACT = {"int": int, "decimal": decimal.Decimal}


        def summaries(directory=HERE):
            """The summary names of the bundle, in manifest order."""
            with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as handle:
                return [summary["name"] for summary in json.load(handle)["summaries"]]


        def load(name, directory=HERE):
            """The summary `name` as a DataFrame with exact, typed columns."""
            with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as handle:
                manifest = json.load(handle)
            summary = next(s for s in manifest["summaries"] if s["name"] == name)
            options = summary["pandas"]
            frame = pd.read_csv(
                os.path.join(directory, name + ".csv"), dtype=options["dtype"], parse_dates=options["parse_dates"],
                date_format="ISO8601", keep_default_na=False, na_values=[""])
            for column in summary["columns"]:
                if column.get("formula_escaped"):
                    # The spreadsheet escape: one ' in front of '...' and = + - @ tab CR (docs/exports.md).
                    frame[column["name"]] = frame[column["name"]].str.replace(r"^'(?='*[=+@\t\r-])", "", regex=True)
            for column, kind in options["exact"].items():
                convert = EXACT[kind]
                frame[column] = pd.Series(
                    [convert(v) if isinstance(v, str) else None for v in frame[column]], index=frame.index, dtype=object)
            return frame


        if __name__ == "__main__":
            for name in summaries():
                print(name, len(load(name)), "rows")

        """#

    /// The SQL regular expression (DuckDB and Postgres) of a CSV value `CSVFormulaGuard` escaped:
    /// `'`, more `'`, then a trigger. Tab and CR through `chr`, so no dialect's escapes matter.
    static let formulaPattern = "('^''+[=+@' || chr(9) || chr(13) || '-]')"

    /// A single-quoted SQL string literal (DuckDB and Postgres alike).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
