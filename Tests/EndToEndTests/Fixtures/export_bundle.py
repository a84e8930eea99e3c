#!/usr/bin/env python3
"""Checks chainetl export bundles the way an analyst loads them, and renders their column dictionary.

    export_bundle.py ensure-deps              install duckdb and pandas with pip when missing
    export_bundle.py check BUNDLE TRUTH.json [DATABASE_URL]
                                              load every CSV with csv, DuckDB and pandas (the one-liners
                                              and the bundle's shipped loaders load.duckdb.sql and
                                              load_pandas.py) and, given a database, with the shipped
                                              load.psql.sql through psql into a fresh schema; compare
                                              each value with TRUTH (the database's text values)
    export_bundle.py dictionary MANIFEST      print the column dictionary of docs/exports.md

The DuckDB and pandas one-liners are generated here from each column's Postgres type; `check` runs
exactly the one-liners that `dictionary` prints, so the documentation is what is tested.
Big integers are compared as Python ints or exact text, never as floats.
"""

import csv
import datetime
import decimal
import json
import os
import re
import subprocess
import sys

INTEGER_TYPES = {"smallint", "integer", "bigint"}
# OWASP CSV injection: a cell starting with one of these runs as a formula in a spreadsheet.
FORMULA_START = re.compile(r"[=+\-@\t\r]")


def spreadsheet_escaped(text):
    """The CSV form of a text value in a formula_escaped column (docs/exports.md "Spreadsheet safety")."""
    return "'" + text if re.match(r"'*[=+\-@\t\r]", text) else text


def csv_truth(summary, truth):
    """`truth` as the CSV writes it: escaped text in the formula_escaped columns."""
    escaped = [bool(c.get("formula_escaped")) for c in summary["columns"]]
    rows = [[spreadsheet_escaped(v) if e and v is not None else v for v, e in zip(row, escaped)]
            for row in truth["rows"]]
    return dict(truth, rows=rows)


def base_type(pg_type):
    """`numeric(78,0)` -> `numeric`; `timestamp(3) with time zone` -> `timestamp with time zone`."""
    if pg_type.endswith("[]"):
        return pg_type
    out, depth = [], 0
    for ch in pg_type:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return " ".join("".join(out).split())


def duckdb_type(pg_type):
    t = base_type(pg_type)
    if t in INTEGER_TYPES:
        return "BIGINT"
    if t == "date":
        return "DATE"
    if t == "timestamp with time zone":
        return "TIMESTAMPTZ"
    if t == "timestamp without time zone":
        return "TIMESTAMP"
    if t == "boolean":
        return "BOOLEAN"
    # numeric (uint256 amounts exceed every DuckDB numeric type), text, json, the rest: exact text.
    return "VARCHAR"


def loader_duckdb_type(column):
    """The type load.duckdb.sql gives a column (ExportLoaders.Target.duckdb)."""
    t = base_type(column["type"])
    if t in INTEGER_TYPES:
        return {"smallint": "SMALLINT", "integer": "INTEGER"}.get(t, "BIGINT")
    if t == "numeric" and column["name"].endswith("_raw"):
        return "BIGNUM"
    return duckdb_type(column["type"])


def duckdb_one_liner(summary, path=None):
    path = path or summary["name"] + ".csv"
    types = ", ".join("'%s': '%s'" % (c["name"], duckdb_type(c["type"])) for c in summary["columns"])
    return ("SELECT * FROM read_csv_auto('%s', header = true, allow_quoted_nulls = false, types = {%s})"
            % (path, types))


def pandas_one_liner(summary, path=None):
    path = path or summary["name"] + ".csv"
    dtypes, dates = [], []
    for c in summary["columns"]:
        t = base_type(c["type"])
        if t in INTEGER_TYPES:
            dtypes.append("'%s': 'Int64'" % c["name"])
        elif t == "boolean":
            dtypes.append("'%s': 'boolean'" % c["name"])
        elif t in ("date", "timestamp with time zone", "timestamp without time zone"):
            dates.append("'%s'" % c["name"])
        else:
            dtypes.append("'%s': str" % c["name"])
    parse = ", parse_dates=[%s], date_format='ISO8601'" % ", ".join(dates) if dates else ""
    return ("pd.read_csv('%s', dtype={%s}%s, keep_default_na=False, na_values=[''])"
            % (path, ", ".join(dtypes), parse))


def ensure_deps():
    """duckdb >= 2.0 (BIGNUM, used by load.duckdb.sql) and pandas, installed as `make setup` does."""
    def present():
        try:
            import duckdb
            import pandas  # noqa: F401
            return int(duckdb.__version__.split(".")[0]) >= 2
        except ImportError:
            return False
    if not present():
        packages = ["duckdb>=2.0", "pandas"]
        pip = [sys.executable, "-m", "pip", "install", "-q"]
        if subprocess.run(pip + packages).returncode != 0 and \
                subprocess.run(pip + ["--user", "--break-system-packages"] + packages).returncode != 0:
            print("error: pip install %s failed; run make setup" % " ".join(packages), file=sys.stderr)
            return 1
        import importlib
        importlib.invalidate_caches()
        if not present():
            print("error: duckdb >= 2.0 and pandas are still not importable; run make setup", file=sys.stderr)
            return 1
    return 0


def parse_pg_timestamp(text):
    """Postgres text (`2026-11-20 23:59:59.5+00`, TimeZone UTC) -> aware datetime."""
    if text.endswith("+00"):
        text = text[:-3] + "+00:00"
    return datetime.datetime.fromisoformat(text)


def parse_iso(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def epoch_us(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


class Checker:
    def __init__(self):
        self.failures = []
        self.values = 0

    def fail(self, where, message):
        if len(self.failures) < 50:
            self.failures.append("%s: %s" % (where, message))

    def expect_text(self, where, pg_type, truth, value):
        """A CSV text value against the database's text value."""
        t = base_type(pg_type)
        self.values += 1
        if truth is None:
            if value != "":
                self.fail(where, "expected NULL (empty field), got %r" % value)
            return
        if t == "timestamp with time zone":
            if not value.endswith("Z") or "T" not in value:
                self.fail(where, "timestamp %r is not ISO 8601 UTC with Z" % value)
            elif parse_iso(value) != parse_pg_timestamp(truth):
                self.fail(where, "timestamp %r != database %r" % (value, truth))
            return
        if t == "timestamp without time zone":
            if value != truth.replace(" ", "T"):
                self.fail(where, "timestamp %r != database %r" % (value, truth))
            return
        if t == "boolean":
            if value != {"t": "true", "f": "false"}[truth]:
                self.fail(where, "boolean %r != database %r" % (value, truth))
            return
        if t in INTEGER_TYPES or t == "numeric":
            if "e" in value.lower():
                self.fail(where, "number %r has an exponent" % value)
            if t in INTEGER_TYPES or "." not in truth:
                if int(value) != int(truth):
                    self.fail(where, "integer %r != database %r" % (value, truth))
            elif decimal.Decimal(value) != decimal.Decimal(truth):
                self.fail(where, "decimal %r != database %r" % (value, truth))
        if value != truth:
            self.fail(where, "text %r != database %r" % (value, truth))

    def check_csv_module(self, bundle, summary, truth):
        path = os.path.join(bundle, summary["name"] + ".csv")
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle, strict=True))
        with open(path, "rb") as handle:
            raw = handle.read()
        if raw and not raw.endswith(b"\r\n"):
            self.fail(path, "the file does not end with CRLF")
        names = [c["name"] for c in summary["columns"]]
        if rows[0] != names:
            self.fail(path, "header %r != manifest columns %r" % (rows[0], names))
        data = rows[1:]
        if len(data) != len(truth["rows"]):
            self.fail(path, "%d rows, the database has %d" % (len(data), len(truth["rows"])))
        for number, (row, expected) in enumerate(zip(data, csv_truth(summary, truth)["rows"]), start=2):
            for column, value, want in zip(summary["columns"], row, expected):
                if column.get("formula_escaped") and FORMULA_START.match(value):
                    self.fail("%s row %d %s" % (path, number, column["name"]),
                              "%r would run as a formula in a spreadsheet" % value)
                self.expect_text("%s row %d %s (csv)" % (path, number, column["name"]), column["type"], want,
                                 value)

    def check_duckdb(self, bundle, summary, truth):
        import duckdb
        path = os.path.join(bundle, summary["name"] + ".csv")
        connection = duckdb.connect()
        relation = connection.sql(duckdb_one_liner(summary, path))
        self.compare_duckdb(path + " (duckdb)", relation, summary, truth,
                            [duckdb_type(c["type"]) for c in summary["columns"]])

    def check_duckdb_loader(self, bundle, manifest, truth):
        """Runs the bundle's load.duckdb.sql, verbatim, from the bundle directory."""
        import duckdb
        connection = duckdb.connect()
        with open(os.path.join(bundle, "load.duckdb.sql"), encoding="utf-8") as handle:
            script = handle.read()
        here = os.getcwd()
        os.chdir(bundle)
        try:
            connection.execute(script)
        finally:
            os.chdir(here)
        for summary in manifest["summaries"]:
            expected = truth["summaries"].get(summary["name"])
            if expected is None:
                continue
            relation = connection.sql('SELECT * FROM "%s"' % summary["name"])
            self.compare_duckdb(os.path.join(bundle, "load.duckdb.sql") + " " + summary["name"], relation, summary,
                                expected, [loader_duckdb_type(c) for c in summary["columns"]])

    def compare_duckdb(self, where_file, relation, summary, truth, expected_types):
        got_types = [str(t) for t in relation.types]
        normalized = [{"TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ"}.get(t, t) for t in got_types]
        if normalized != expected_types:
            self.fail(where_file, "DuckDB types %r != %r" % (got_types, expected_types))
        if relation.columns != [c["name"] for c in summary["columns"]]:
            self.fail(where_file, "DuckDB columns %r" % (relation.columns,))
        projections = []
        for c, t in zip(summary["columns"], expected_types):
            quoted = '"%s"' % c["name"]
            if t in ("TIMESTAMPTZ", "TIMESTAMP"):
                projections.append("epoch_us(%s)" % quoted)
            elif t == "DATE":
                projections.append("CAST(%s AS VARCHAR)" % quoted)
            else:
                projections.append(quoted)
        rows = relation.project(", ".join(projections)).fetchall()
        if len(rows) != len(truth["rows"]):
            self.fail(where_file, "DuckDB read %d rows, the database has %d" % (len(rows), len(truth["rows"])))
        for number, (row, expected) in enumerate(zip(rows, truth["rows"]), start=2):
            for column, value, want in zip(summary["columns"], row, expected):
                where = "%s row %d %s" % (where_file, number, column["name"])
                self.values += 1
                t = base_type(column["type"])
                if want is None:
                    if value is not None:
                        self.fail(where, "expected NULL, got %r" % (value,))
                    continue
                if t in INTEGER_TYPES:
                    ok = isinstance(value, int) and value == int(want)
                elif t == "timestamp with time zone":
                    ok = value == epoch_us(parse_pg_timestamp(want))
                elif t == "timestamp without time zone":
                    ok = value == epoch_us(datetime.datetime.fromisoformat(want))
                elif t == "boolean":
                    ok = value == (want == "t")
                else:
                    # numeric is exact text or an exact big integer; text, dates and the rest text.
                    ok = str(value) == want
                if not ok:
                    self.fail(where, "%r != database %r" % (value, want))

    def check_pandas_loader(self, bundle, manifest, truth):
        """Loads every summary with the bundle's load_pandas.py, verbatim."""
        import runpy
        load = runpy.run_path(os.path.join(bundle, "load_pandas.py"))["load"]
        for summary in manifest["summaries"]:
            expected = truth["summaries"].get(summary["name"])
            if expected is None:
                continue
            where_file = os.path.join(bundle, "load_pandas.py") + " " + summary["name"]
            frame = load(summary["name"])
            if len(frame) != len(expected["rows"]):
                self.fail(where_file, "%d rows, the database has %d" % (len(frame), len(expected["rows"])))
            for c in summary["columns"]:
                dtype = str(frame[c["name"]].dtype)
                t = base_type(c["type"])
                if "float" in dtype or (t in INTEGER_TYPES and dtype != "Int64"):
                    self.fail(where_file, "%s read as %s" % (c["name"], dtype))
                if t in ("date", "timestamp with time zone", "timestamp without time zone") \
                        and not dtype.startswith("datetime64"):
                    self.fail(where_file, "%s read as %s, not a datetime" % (c["name"], dtype))
                if c["name"] in summary["pandas"]["exact"] and dtype != "object":
                    self.fail(where_file, "%s read as %s, not exact Python values" % (c["name"], dtype))
            self.compare_pandas(where_file, frame, summary, expected, summary["pandas"]["exact"])

    def check_psql_loader(self, bundle, manifest, truth, database_url):
        """Runs the bundle's load.psql.sql, verbatim, with psql into a fresh schema; compares the tables."""
        schema = "psql_" + manifest["partition"].replace("-", "_")
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", database_url]
        subprocess.run(psql + ["-c", 'DROP SCHEMA IF EXISTS "%s" CASCADE; CREATE SCHEMA "%s"' % (schema, schema)],
                       check=True)
        env = dict(os.environ, PGOPTIONS="-c search_path=%s" % schema)
        result = subprocess.run(psql + ["-f", "load.psql.sql"], cwd=bundle, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            self.fail(os.path.join(bundle, "load.psql.sql"), "psql failed: %s" % result.stderr.strip())
            return
        for summary in manifest["summaries"]:
            expected = truth["summaries"].get(summary["name"])
            if expected is None:
                continue
            texts = ", ".join('"%s"::text' % c["name"] for c in summary["columns"])
            query = "SET TimeZone TO 'UTC'; SELECT json_build_array(%s)::text FROM \"%s\".\"%s\"" % (
                texts, schema, summary["name"])
            out = subprocess.run(psql + ["-At", "-c", query], capture_output=True, text=True, check=True).stdout
            rows = sorted(json.dumps(json.loads(line)) for line in out.splitlines() if line)
            want = sorted(json.dumps(row) for row in expected["rows"])
            self.values += sum(len(r) for r in expected["rows"])
            if rows != want:
                missing = sorted(set(want) - set(rows))[:3]
                extra = sorted(set(rows) - set(want))[:3]
                self.fail("%s %s (psql)" % (bundle, summary["name"]),
                          "%d rows vs %d; missing %r; unexpected %r" % (len(rows), len(want), missing, extra))

    def check_pandas(self, bundle, summary, truth):
        import pandas as pd
        path = os.path.join(bundle, summary["name"] + ".csv")
        frame = eval(pandas_one_liner(summary, path), {"pd": pd})  # the documented one-liner, verbatim
        for c in summary["columns"]:
            dtype = str(frame[c["name"]].dtype)
            if "float" in dtype:
                self.fail(path, "pandas read %s as %s: floats lose digits" % (c["name"], dtype))
        if len(frame) != len(truth["rows"]):
            self.fail(path, "pandas read %d rows, the database has %d" % (len(frame), len(truth["rows"])))
        self.compare_pandas(path + " (pandas)", frame, summary, truth, {})

    def compare_pandas(self, where_file, frame, summary, truth, exact_columns):
        """Every value of `frame` against the database's text; `exact_columns` hold Python ints or Decimals."""
        import pandas as pd
        records = frame.to_dict("records")
        for number, (row, expected) in enumerate(zip(records, truth["rows"]), start=2):
            for column, want in zip(summary["columns"], expected):
                value = row[column["name"]]
                where = "%s row %d %s" % (where_file, number, column["name"])
                self.values += 1
                t = base_type(column["type"])
                missing = value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value))
                if want is None or (want == "" and t not in INTEGER_TYPES):
                    if not missing:
                        self.fail(where, "expected missing, got %r" % (value,))
                    continue
                if missing:
                    self.fail(where, "missing, database has %r" % (want,))
                    continue
                exact = exact_columns.get(column["name"])
                if t in INTEGER_TYPES:
                    ok = int(value) == int(want)
                elif t == "timestamp with time zone":
                    ok = value.to_pydatetime() == parse_pg_timestamp(want)
                elif t == "date":
                    ok = value.date().isoformat() == want
                elif t == "timestamp without time zone":
                    ok = value.to_pydatetime() == datetime.datetime.fromisoformat(want)
                elif t == "boolean":
                    ok = bool(value) == (want == "t")
                elif exact == "int":
                    ok = type(value) is int and value == int(want)
                elif exact == "decimal":
                    ok = isinstance(value, decimal.Decimal) and format(value, "f") == want
                elif t == "numeric" and "." not in want:
                    ok = isinstance(value, str) and int(value) == int(want)  # then Python int: exact
                else:
                    ok = value == want
                if not ok:
                    self.fail(where, "%r != database %r" % (value, want))


def check(bundle, truth_path, database_url=None):
    with open(os.path.join(bundle, "manifest.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    with open(truth_path, encoding="utf-8") as handle:
        truth = json.load(handle)
    checker = Checker()
    listed = {summary["name"] for summary in manifest["summaries"]}
    for name in sorted(set(truth["summaries"]) - listed):
        checker.fail(name, "the database has it but manifest.json does not list it")
    for summary in manifest["summaries"]:
        expected = truth["summaries"].get(summary["name"])
        if expected is None:
            continue  # not compared for this bundle (a rolling summary rebuilt since)
        if expected["columns"] != [c["name"] for c in summary["columns"]]:
            checker.fail(summary["name"], "truth columns differ from the manifest")
            continue
        checker.check_csv_module(bundle, summary, expected)
        # The one-liners read the CSV's text as it is; the shipped loaders remove the escape.
        checker.check_duckdb(bundle, summary, csv_truth(summary, expected))
        checker.check_pandas(bundle, summary, csv_truth(summary, expected))
    checker.check_duckdb_loader(bundle, manifest, truth)
    checker.check_pandas_loader(bundle, manifest, truth)
    if database_url:
        checker.check_psql_loader(bundle, manifest, truth, database_url)
    if checker.failures:
        for failure in checker.failures:
            print("mismatch: " + failure, file=sys.stderr)
        return 1
    print("ok: %d summaries, %d values compared" % (len(truth["summaries"]), checker.values))
    return 0


def dictionary(manifest_path):
    with open(manifest_path, encoding="utf-8") as handle:
        manifest = json.load(handle)
    out = []
    for summary in manifest["summaries"]:
        out.append("### `%s`" % summary["name"])
        out.append("")
        out.append("%s Key: %s." % (summary["description"], ", ".join("`%s`" % k for k in summary["key"])))
        out.append("")
        out.append("| column | type | description |")
        out.append("|---|---|---|")
        for c in summary["columns"]:
            out.append("| `%s` | %s | %s |" % (c["name"], c["type"], c["description"].replace("|", "\\|")))
        out.append("")
        out.append("```sql")
        out.append(duckdb_one_liner(summary) + ";")
        out.append("```")
        out.append("")
        out.append("```python")
        out.append("df = " + pandas_one_liner(summary))
        out.append("```")
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "ensure-deps":
        return ensure_deps()
    if len(argv) in (4, 5) and argv[1] == "check":
        return check(*argv[2:])
    if len(argv) == 3 and argv[1] == "dictionary":
        return dictionary(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
