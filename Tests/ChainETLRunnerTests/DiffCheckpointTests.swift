import ChainETLCore
import ChainETLStages
import Foundation
import Testing

@testable import ChainETLRunner

/// The rerun diff on checkpoints written to a scratch workdir (no database).
@Suite("Rerun diff of checkpoints")
struct DiffCheckpointTests {
    /// A scratch workdir with one unit's location.
    final class Scratch {
        let workdir: URL
        let location: CheckpointLocation

        init(stage: String = "normalize") throws {
            workdir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "chainetl-diff-\(UInt64.random(in: 0...UInt64.max))")
            location = CheckpointLocation(
                workdir: workdir, pipeline: "p", partition: PartitionDay("2026-11-20")!, stageID: stage)
        }

        deinit { try? FileManager.default.removeItem(at: workdir) }

        /// Commits `lines` as the unit's checkpoint (the previous one becomes `.prev`).
        func commit(_ lines: [String], schema: RecordSchema, rowsPerPart: Int = 7) throws {
            let writer = try CheckpointWriter(
                location: location, kind: "test", recordSchema: schema, rowsPerPart: rowsPerPart)
            for line in lines {
                try Array(line.utf8).withUnsafeBytes { try writer.append(line: $0) }
            }
            try writer.commit(
                configHash: "c", inputs: [:], counts: RowCounts(rowsIn: lines.count, rowsOut: lines.count),
                startedAt: Date())
        }

        func diff(bucketCount: Int? = nil, rowsPerBucket: Int = 200_000, limit: Int = 20) -> UnitDiff? {
            RerunDiff(
                workdir: workdir, runID: "r1", exampleLimit: limit, rowsPerBucket: rowsPerBucket,
                bucketCount: bucketCount
            ).rows(at: location, replaced: true)
        }

        func file(_ diff: UnitDiff) throws -> [String: [String]] {
            let relative = try #require(diff.file)
            let reader = try GzipLineReader(path: workdir.appendingPathComponent(relative).path)
            var result: [String: [String]] = [:]
            while let line = try reader.nextLine() {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
                result[object["change"]!, default: []].append(object["id"]!)
            }
            return result
        }
    }

    static let before = (1...100).map { TransferLines.line(id: TransferLines.id($0), block: $0) }
    static var after: [String] {
        var lines = (1...100).filter { ![5, 17, 42].contains($0) }.map { n in
            TransferLines.line(id: TransferLines.id(n), block: n, symbol: [7, 63].contains(n) ? "USDC.e" : "USDC")
        }
        lines.insert(TransferLines.line(id: TransferLines.id(101), block: 30), at: 30)
        lines.append(TransferLines.line(id: TransferLines.id(102), block: 101))
        return lines
    }

    @Test("changed rows name their changed columns with the exact values before and after", arguments: [nil, 4])
    func changedColumns(bucketCount: Int?) throws {
        let scratch = try Scratch()
        try scratch.commit(Self.before, schema: "transfer/1")
        try scratch.commit(Self.after, schema: "transfer/1")
        let diff = try #require(scratch.diff(bucketCount: bucketCount, limit: 0))
        let rows = try #require(diff.changedRows)
        // Sampled whatever --diff-examples is (0 here), in diff order.
        #expect(Set(rows.map(\.id)) == Set([7, 63].map(TransferLines.id)))
        for row in rows {
            #expect(
                row.columns == [UnitDiff.ColumnChange(column: "token_symbol", before: "\"USDC\"", after: "\"USDC.e\"")])
        }
        #expect(diff.changedColumns == ["token_symbol"])
    }

    @Test("the sample is bounded, repeats are matched by ordinal, nested members and absent fields are columns")
    func changedColumnSample() throws {
        let scratch = try Scratch(stage: "extract")
        let ids = (1...12).map { "0x" + String(repeating: String(format: "%02x", $0), count: 32) }
        func row(_ hash: String, confirmations: Int, tokenName: String?, extra: Bool = false) -> String {
            let name = tokenName.map { ",\"tokenName\":\"\($0)\"" } ?? ""
            return "{\"source\":\"etherscan-tokentx\",\"chain_id\":1,\"request\":{\"page\":\(confirmations)},"
                + "\"row\":{\"hash\":\"\(hash)\",\"contractAddress\":\"0xc\",\"from\":\"0xa\",\"to\":\"0xb\","
                + "\"value\":\"5\",\"confirmations\":\"\(confirmations)\"\(name)}\(extra ? ",\"note\":true" : "")}"
        }
        // Each hash holds two identical transfers: the second (`#1`) is the one that changes.
        let before = ids.flatMap {
            [row($0, confirmations: 1, tokenName: "A"), row($0, confirmations: 1, tokenName: "A")]
        }
        let after = ids.flatMap {
            [row($0, confirmations: 9, tokenName: "A"), row($0, confirmations: 9, tokenName: nil, extra: true)]
        }
        try scratch.commit(before, schema: "raw-explorer-row/1")
        try scratch.commit(after, schema: "raw-explorer-row/1")
        let diff = try #require(scratch.diff())
        #expect(diff.changed == 12 && diff.unchanged == 12)
        let rows = try #require(diff.changedRows)
        #expect(rows.count == 5)
        for sampled in rows {
            #expect(sampled.id.hasSuffix("#1"))
            // confirmations and the request envelope are ignored, as the keyed diff ignores them.
            #expect(
                sampled.columns == [
                    UnitDiff.ColumnChange(column: "row.tokenName", before: "\"A\"", after: nil),
                    UnitDiff.ColumnChange(column: "note", before: nil, after: "true"),
                ])
        }
        #expect(ChangedRowSampler.parse("abc#2") == ("abc", 2) && ChangedRowSampler.parse("a#b") == ("a#b", 0))
    }

    @Test("transfers: exact added, removed and changed ids, in memory and spilled", arguments: [nil, 1, 4, 13])
    func transferIDs(bucketCount: Int?) throws {
        let scratch = try Scratch()
        try scratch.commit(Self.before, schema: "transfer/1")
        try scratch.commit(Self.after, schema: "transfer/1")
        let diff = try #require(scratch.diff(bucketCount: bucketCount))
        #expect(diff.error == nil)
        #expect(diff.key == "transfer_id")
        #expect(diff.rowsBefore == 100 && diff.rowsAfter == 99)
        #expect((diff.added, diff.removed, diff.changed, diff.unchanged) == (2, 3, 2, 95))
        #expect(Set(diff.examples.added) == [TransferLines.id(101), TransferLines.id(102)])
        #expect(Set(diff.examples.removed) == Set([5, 17, 42].map(TransferLines.id)))
        #expect(Set(diff.examples.changed) == Set([7, 63].map(TransferLines.id)))
        let file = try scratch.file(diff)
        #expect(Set(file["added"] ?? []) == Set(diff.examples.added))
        #expect(Set(file["removed"] ?? []) == Set(diff.examples.removed))
        #expect(Set(file["changed"] ?? []) == Set(diff.examples.changed))
        #expect(diff.file == "runs/r1/diffs/2026-11-20/normalize.ndjson.gz")
        // Only the diff file is left: the temporary file and the spill folder are gone.
        let folder = scratch.workdir.appendingPathComponent("runs/r1/diffs/2026-11-20")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["normalize.ndjson.gz"])
        // The replaced checkpoint stays as `.prev` with its rows.
        let previous = try #require(try CheckpointStore.previousManifest(at: scratch.location))
        #expect(previous.totalRows == 100)
    }

    @Test func theReportListsAtMostTheLimitButTheFileHasEveryID() throws {
        let scratch = try Scratch()
        try scratch.commit(Self.before, schema: "transfer/1")
        try scratch.commit(Array(Self.before.dropFirst(10)), schema: "transfer/1")
        let diff = try #require(scratch.diff(bucketCount: 3, limit: 4))
        #expect(diff.removed == 10)
        #expect(diff.examples.removed.count == 4)
        #expect(diff.examplesLimit == 4)
        #expect(Set(try scratch.file(diff)["removed"] ?? []) == Set((1...10).map(TransferLines.id)))
    }

    @Test func anIdenticalCheckpointHasNoChangesAndNoFile() throws {
        let scratch = try Scratch()
        try scratch.commit(Self.before, schema: "transfer/1")
        try scratch.commit(Self.before, schema: "transfer/1")
        let diff = try #require(scratch.diff())
        #expect((diff.added, diff.removed, diff.changed, diff.unchanged) == (0, 0, 0, 100))
        #expect(diff.file == nil)
        #expect(!diff.hasChanges)
    }

    @Test func noDiffWhenNothingWasReplaced() throws {
        let scratch = try Scratch()
        try scratch.commit(Self.before, schema: "transfer/1")
        let diff = RerunDiff(workdir: scratch.workdir, runID: "r1").rows(at: scratch.location, replaced: false)
        #expect(diff == nil)
    }

    static func logRow(tx: String, index: String, data: String, confirmations: Int) -> String {
        """
        {"source":"etherscan-logs","chain_id":1,"request":{"endpoint":"logs/getLogs","fetched_at":"2026-11-21T0\(confirmations % 10):00:00Z"},"row":{"address":"0xtoken","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"],"data":"\(data)","blockNumber":"0x10","timeStamp":"0x6a1b2c00","logIndex":"\(index)","transactionHash":"\(tx)","confirmations":"\(confirmations)"}}
        """
    }

    static func tokentxRow(hash: String, value: String, confirmations: Int) -> String {
        """
        {"source":"etherscan-tokentx","chain_id":1,"request":{"endpoint":"account/tokentx","page":1},"row":{"blockNumber":"16","timeStamp":"1795132800","hash":"\(hash)","from":"0xfrom","contractAddress":"0xtoken","to":"0xto","value":"\(value)","confirmations":"\(confirmations)"}}
        """
    }

    @Test(
        "raw rows: keyed by tx hash and log index, or by transfer fields; confirmations ignored", arguments: [nil, 3])
    func rawRows(bucketCount: Int?) throws {
        let scratch = try Scratch(stage: "extract")
        try scratch.commit(
            [
                Self.logRow(tx: "0xt1", index: "0x1", data: "0x01", confirmations: 5),
                Self.logRow(tx: "0xt1", index: "0xa", data: "0x02", confirmations: 5),
                Self.logRow(tx: "0xt2", index: "0x", data: "0x03", confirmations: 5),
                Self.tokentxRow(hash: "0xh1", value: "7", confirmations: 5),
                Self.tokentxRow(hash: "0xh1", value: "7", confirmations: 5),
                Self.tokentxRow(hash: "0xh2", value: "9", confirmations: 5),
            ], schema: "raw-explorer-row/1")
        try scratch.commit(
            [
                Self.logRow(tx: "0xt1", index: "0x1", data: "0x01", confirmations: 9),
                Self.logRow(tx: "0xt1", index: "0xa", data: "0x22", confirmations: 9),
                Self.logRow(tx: "0xt3", index: "0x5", data: "0x04", confirmations: 9),
                Self.tokentxRow(hash: "0xh1", value: "7", confirmations: 9),
                Self.tokentxRow(hash: "0xh1", value: "7", confirmations: 9),
                Self.tokentxRow(hash: "0xh1", value: "7", confirmations: 9),
                Self.tokentxRow(hash: "0xh2", value: "8", confirmations: 9),
            ], schema: "raw-explorer-row/1")
        let diff = try #require(scratch.diff(bucketCount: bucketCount))
        #expect(diff.error == nil)
        let tokentx = "etherscan-tokentx:1:"
        #expect(
            Set(diff.examples.added) == [
                "etherscan-logs:1:0xt3:5", tokentx + "0xh1:0xtoken:0xfrom:0xto:7#2",
                tokentx + "0xh2:0xtoken:0xfrom:0xto:8",
            ])
        #expect(Set(diff.examples.removed) == ["etherscan-logs:1:0xt2:0", tokentx + "0xh2:0xtoken:0xfrom:0xto:9"])
        #expect(diff.examples.changed == ["etherscan-logs:1:0xt1:10"])
        #expect(diff.unchanged == 3)
    }

    @Test func otherSchemasAreKeyedByTheWholeLine() throws {
        let scratch = try Scratch(stage: "emit")
        try scratch.commit(["{\"i\":1}", "{\"i\":2}", "{\"i\":2}"], schema: "test-row/1")
        try scratch.commit(["{\"i\":1}", "{\"i\":2}", "{\"i\":3}"], schema: "test-row/1")
        let diff = try #require(scratch.diff(bucketCount: 2))
        #expect((diff.added, diff.removed, diff.changed, diff.unchanged) == (1, 1, 0, 2))
        let three = "line:" + DiffDigest.of(Array("{\"i\":3}".utf8)).hex
        let two = "line:" + DiffDigest.of(Array("{\"i\":2}".utf8)).hex
        #expect(diff.examples.added == [three])
        #expect(diff.examples.removed == [two + "#1"])
    }

    @Test func theBucketCountFollowsTheRowsPerBucketAndIsCapped() {
        let scratch = URL(fileURLWithPath: "/nonexistent")
        let differ = CheckpointDiffer(keying: .transferID, rowsPerBucket: 200_000, scratchDirectory: scratch)
        #expect(differ.buckets(previousRows: 10, currentRows: 0) == 1)
        #expect(differ.buckets(previousRows: 200_000, currentRows: 200_000) == 1)
        #expect(differ.buckets(previousRows: 10, currentRows: 1_000_001) == 6)
        #expect(differ.buckets(previousRows: 1_000_000_000, currentRows: 0) == CheckpointDiffer.maximumBuckets)
    }

    @Test func spilledKeysLandInTheirBucketOnlyAndEveryEntryComesBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-spill-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spill = try DiffSpill(directory: directory, side: "previous", bucketCount: 5)
        let keys = (0..<3000).map { Array(TransferLines.id($0).utf8) }
        for (n, key) in keys.enumerated() {
            try spill.append(key: key, digest: DiffDigest(high: UInt64(n), low: ~UInt64(n)))
        }
        try spill.finish()
        var seen: [String: DiffDigest] = [:]
        var sizes: [Int] = []
        for bucket in 0..<5 {
            var size = 0
            try DiffSpill.forEachEntry(in: try spill.contents(of: bucket)) { key, digest in
                #expect(DiffSpill.bucket(of: Array(key), bucketCount: 5) == bucket)
                seen[String(decoding: key, as: UTF8.self)] = digest
                size += 1
            }
            sizes.append(size)
        }
        #expect(seen.count == 3000)
        #expect(seen[TransferLines.id(1234)] == DiffDigest(high: 1234, low: ~UInt64(1234)))
        // Each bucket holds about a fifth: memory per bucket is bounded by rows / K.
        #expect(sizes.allSatisfy { $0 > 450 && $0 < 750 })
    }
}
