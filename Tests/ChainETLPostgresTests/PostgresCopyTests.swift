import Foundation
import Testing

@testable import ChainETLPostgres

@Suite("COPY FROM STDIN against the real server")
struct PostgresCopyTests {
    private static func createTransfers(_ database: TestDatabase) throws {
        try database.connection.executeScript(
            unsafeSQL: """
                CREATE TABLE transfers (
                  id bigint PRIMARY KEY, block_number bigint NOT NULL, tx_hash text NOT NULL,
                  token_address text NOT NULL, from_address text NOT NULL, to_address text NOT NULL,
                  value numeric(78,0) NOT NULL, token_symbol text, token_decimals integer, log_index integer,
                  block_time timestamptz NOT NULL, source text NOT NULL, block_hash text, occurrence integer NOT NULL);
                CREATE INDEX transfers_token_idx ON transfers (token_address, block_time);
                """)
    }

    @Test func copiesAMillionRowsIntoAnIndexedTable() throws {
        let database = try TestDatabase()
        try Self.createTransfers(database)
        let rowCount = 1_000_000
        let hash = Array("0x" + String(repeating: "ab", count: 32)).map { UInt8(ascii: $0.unicodeScalars.first!) }
        let token = Array("0x" + String(repeating: "cd", count: 20)).map { UInt8(ascii: $0.unicodeScalars.first!) }
        let time = Array("2026-11-20T00:00:12Z".utf8)
        let value = Array("115792089237316195423570985008687907853269984665640564039457584007913129639935".utf8)
        let copied = try database.connection.copyIn(
            SQLQuery(unsafeSQL: "COPY \(SQLIdentifier.quote("transfers")) FROM STDIN")
        ) { writer in
            for id in 0..<rowCount {
                writer.appendField(id)
                writer.appendField(id / 100)
                hash.withUnsafeBytes { writer.appendRawEscaped($0) }
                token.withUnsafeBytes { writer.appendRawEscaped($0) }
                token.withUnsafeBytes { writer.appendRawEscaped($0) }
                token.withUnsafeBytes { writer.appendRawEscaped($0) }
                value.withUnsafeBytes { writer.appendRawEscaped($0) }
                writer.appendField("USDC")
                if id % 2 == 0 { writer.appendField(6) } else { writer.appendNull() }
                writer.appendField(id % 300)
                time.withUnsafeBytes { writer.appendRawEscaped($0) }
                writer.appendField("etherscan-logs")
                writer.appendNull()
                writer.appendField(0)
                try writer.endRow()
            }
            #expect(writer.rowsWritten == rowCount)
        }
        #expect(copied == rowCount)
        #expect(try database.count("transfers") == rowCount)
        let sums = try database.connection.execute(
            SQLQuery(
                "SELECT sum(id), count(token_decimals), max(value) = $1::numeric FROM transfers",
                [String(decoding: value, as: UTF8.self)]))
        #expect(sums.value(row: 0, column: 0) == String(rowCount * (rowCount - 1) / 2))
        #expect(try sums.int(row: 0, column: 1) == rowCount / 2)
        #expect(sums.bool(row: 0, column: 2) == true)
    }

    @Test func escapesEveryTextSpecialAndKeepsNullDistinctFromEmpty() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n integer, s text)"))
        let samples: [String?] = [
            "tab\there", "line\nbreak", "cr\rreturn", "back\\slash", "\\N", "\\.", "", nil, "üñí 🚀", "-",
        ]
        let copied = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t (n, s) FROM STDIN")) { writer in
            for (index, sample) in samples.enumerated() {
                writer.appendField(index - 1)
                if let sample { writer.appendField(sample) } else { writer.appendNull() }
                try writer.endRow()
            }
        }
        #expect(copied == samples.count)
        let rows = try database.connection.execute(SQLQuery("SELECT n, s FROM t ORDER BY n"))
        #expect(rows.count == samples.count)
        for (index, sample) in samples.enumerated() {
            #expect(try rows.int(row: index, column: 0) == index - 1)
            #expect(rows.value(row: index, column: 1) == sample)
        }
    }

    @Test func writesByteaInHexForm() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (id bytea, n integer)"))
        let digest: [UInt8] = [0x00, 0x5c, 0x09, 0x0a, 0xff] + Array(repeating: 0xab, count: 11)
        _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
            digest.withUnsafeBytes { writer.appendByteaHex($0) }
            writer.appendField(1)
            try writer.endRow()
        }
        let rows = try database.connection.execute(SQLQuery("SELECT encode(id, 'hex'), octet_length(id) FROM t"))
        #expect(rows.value(row: 0, column: 0) == "005c090aff" + String(repeating: "ab", count: 11))
        #expect(try rows.int(row: 0, column: 1) == 16)
    }

    @Test func aThrowingBodyAbortsTheCopyAndLeavesNoRows() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n integer)"))
        #expect(throws: TestFailure.bodyFailure) {
            _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
                // Enough rows to force several flushes before the failure.
                for n in 0..<200_000 {
                    writer.appendField(n)
                    try writer.endRow()
                }
                throw TestFailure.bodyFailure
            }
        }
        #expect(try database.count("t") == 0)
        #expect(!database.connection.isInTransaction)
        // The connection is usable afterwards.
        let copied = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
            writer.appendField(7)
            try writer.endRow()
        }
        #expect(copied == 1)
    }

    /// One binary tuple: (n bigint, s text) with `s` null when nil.
    private static func binaryTuple(_ n: Int64, _ s: String?) -> [UInt8] {
        var tuple: [UInt8] = [0, 2, 0, 0, 0, 8]
        withUnsafeBytes(of: n.bigEndian) { tuple.append(contentsOf: $0) }
        if let s {
            withUnsafeBytes(of: Int32(s.utf8.count).bigEndian) { tuple.append(contentsOf: $0) }
            tuple.append(contentsOf: s.utf8)
        } else {
            tuple.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
        }
        return tuple
    }

    @Test func binaryTuplesSentOnAThreadArriveWholeAndInOrder() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n bigint PRIMARY KEY, s text)"))
        // Enough rows to pass every buffer through the sending thread several times.
        let rowCount = 300_000
        let copied = try database.connection.copyIn(
            SQLQuery(unsafeSQL: "COPY t (n, s) FROM STDIN WITH (FORMAT binary)"), format: .binary, sendOnThread: true
        ) { writer in
            for n in 0..<rowCount {
                try Self.binaryTuple(Int64(n), n % 10 == 0 ? nil : "row \(n)\t\\ü").withUnsafeBytes {
                    try writer.appendBinaryTuple($0)
                }
            }
            #expect(writer.rowsWritten == rowCount)
        }
        #expect(copied == rowCount)
        let check = try database.connection.execute(
            SQLQuery(
                """
                SELECT count(*), sum(n), count(s), count(*) FILTER (WHERE s = 'row ' || n || E'\\t\\\\ü')
                FROM t
                """))
        #expect(try check.int(row: 0, column: 0) == rowCount)
        #expect(try check.int(row: 0, column: 1) == rowCount * (rowCount - 1) / 2)
        #expect(try check.int(row: 0, column: 2) == rowCount - rowCount / 10)
        #expect(try check.int(row: 0, column: 3) == rowCount - rowCount / 10)
    }

    @Test func aThrowingBodyAbortsACopySentOnAThread() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n bigint, s text)"))
        let statement = SQLQuery(unsafeSQL: "COPY t FROM STDIN WITH (FORMAT binary)")
        #expect(throws: TestFailure.bodyFailure) {
            _ = try database.connection.copyIn(statement, format: .binary, sendOnThread: true) { writer in
                for n in 0..<200_000 {
                    try Self.binaryTuple(Int64(n), "x").withUnsafeBytes { try writer.appendBinaryTuple($0) }
                }
                throw TestFailure.bodyFailure
            }
        }
        #expect(try database.count("t") == 0)
        #expect(!database.connection.isInTransaction)
        let copied = try database.connection.copyIn(statement, format: .binary, sendOnThread: true) { writer in
            try Self.binaryTuple(7, nil).withUnsafeBytes { try writer.appendBinaryTuple($0) }
        }
        #expect(copied == 1)
    }

    @Test func aServerErrorMidCopySentOnAThreadIsTheServersError() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n bigint PRIMARY KEY, s text)"))
        let error = try expectPostgresError {
            _ = try database.connection.copyIn(
                SQLQuery(unsafeSQL: "COPY t FROM STDIN WITH (FORMAT binary)"), format: .binary, sendOnThread: true
            ) { writer in
                // Row 1000 repeats a key: the server fails the COPY while rows are still sent.
                for n in 0..<400_000 {
                    try Self.binaryTuple(Int64(n == 1_000 ? 0 : n), "padding").withUnsafeBytes {
                        try writer.appendBinaryTuple($0)
                    }
                }
            }
        }
        #expect(error.sqlState == "23505")
        #expect(try database.count("t") == 0)
        #expect(!database.connection.isInTransaction)
    }

    @Test func aFormatOtherThanTheStatementsIsRefused() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n bigint, s text)"))
        let error = try expectPostgresError {
            _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN"), format: .binary) { _ in }
        }
        #expect(error.description.contains("COPY format"))
        #expect(try database.count("t") == 0)
    }

    @Test func rollsBackACopyInsideAFailedTransaction() throws {
        let database = try TestDatabase()
        let connection = database.connection
        try connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n integer)"))
        #expect(throws: TestFailure.bodyFailure) {
            try connection.transaction {
                let copied = try connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
                    writer.appendField(1)
                    try writer.endRow()
                }
                #expect(copied == 1)
                throw TestFailure.bodyFailure
            }
        }
        #expect(try database.count("t") == 0)
    }

    @Test func reportsBadDataWithTheServerErrorAndTheStatement() throws {
        let database = try TestDatabase()
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n integer)"))
        let error = try expectPostgresError {
            _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
                writer.appendField(1)
                try writer.endRow()
                writer.appendField("not-a-number")
                try writer.endRow()
            }
        }
        #expect(error.sqlState == "22P02")
        #expect(error.description.contains("statement: COPY t FROM STDIN"))
        #expect(error.description.contains("COPY t, line 2"))
        #expect(try database.count("t") == 0)

        let withBindings = try expectPostgresError {
            _ = try database.connection.copyIn(SQLQuery("COPY t FROM STDIN", [1])) { _ in }
        }
        #expect(withBindings.description.contains("COPY cannot take bound values"))
        let notCopy = try expectPostgresError {
            _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "SELECT 1")) { _ in }
        }
        #expect(notCopy.description.contains("not COPY … FROM STDIN"))
    }

    @Test func aServerShutdownMidCopyIsReportedAsTheDatabaseGoingAway() throws {
        let database = try TestDatabase()
        let killer = try TestDatabase.connect(applicationName: "killer")
        defer { killer.close() }
        try database.connection.execute(SQLQuery(unsafeSQL: "CREATE TABLE t (n integer, s text)"))
        let pid = database.connection.backendPID
        let error = try expectPostgresError {
            _ = try database.connection.copyIn(SQLQuery(unsafeSQL: "COPY t FROM STDIN")) { writer in
                for n in 0..<5_000_000 {
                    if n == 50_000 {
                        try killer.execute(SQLQuery("SELECT pg_terminate_backend($1)", [pid]))
                        Thread.sleep(forTimeInterval: 0.2)
                    }
                    writer.appendField(n)
                    writer.appendField("padding to fill the buffer quickly")
                    try writer.endRow()
                }
            }
        }
        guard case .connectionLost = error else {
            Issue.record("expected connectionLost, got \(error)")
            return
        }
        #expect(error.description.contains("rerun resumes from the checkpoint"))
        #expect(error.description.contains("statement: COPY t FROM STDIN"))
        try killer.execute(SQLQuery(unsafeSQL: "DROP SCHEMA \(SQLIdentifier.quote(database.schema)) CASCADE"))
    }
}
