import Foundation
import Testing

@testable import ChainETLCore

@Suite("Checkpoints")
struct CheckpointTests {
    private let started = Date(timeIntervalSince1970: 1_795_000_000)

    /// Writes `rows` sample lines (plus `quarantined` side-file lines) and commits.
    @discardableResult
    private func writeCheckpoint(
        _ location: CheckpointLocation, rows: Int, rowsPerPart: Int = 1_000, quarantined: Int = 0,
        configHash: String = "cfg-1", details: [String: String] = ["from_block": "1000"]
    ) throws -> CheckpointManifest {
        let writer = try CheckpointWriter(
            location: location, kind: "normalize", recordSchema: "transfer/1", rowsPerPart: rowsPerPart)
        for index in 0..<rows {
            var line = sampleTransferLine(index)
            try line.withUTF8 { try writer.append(line: UnsafeRawBufferPointer($0)) }
        }
        if quarantined > 0 {
            let side = try writer.sideFile(named: "quarantine.ndjson.gz")
            for index in 0..<quarantined { try side.append(line: #"{"bad":\#(index)}"#) }
        }
        return try writer.commit(
            configHash: configHash, inputs: ["extract": "abc"],
            counts: RowCounts(rowsIn: rows + quarantined, rowsOut: rows, quarantined: quarantined),
            details: details, startedAt: started)
    }

    private func partPath(_ location: CheckpointLocation, _ index: Int = 0) -> String {
        location.directory.appendingPathComponent(CheckpointWriter.partName(index)).path
    }

    @Test func roundTripsManyLinesAcrossSeveralParts() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let manifest = try writeCheckpoint(location, rows: 3_500, quarantined: 3)

        #expect(
            manifest.parts.map(\.name) == [
                "part-00000.ndjson.gz", "part-00001.ndjson.gz", "part-00002.ndjson.gz", "part-00003.ndjson.gz",
            ])
        #expect(manifest.parts.map(\.rows) == [1_000, 1_000, 1_000, 500])
        #expect(manifest.totalRows == 3_500)
        #expect(manifest.sideFiles.map(\.name) == ["quarantine.ndjson.gz"])
        #expect(manifest.sideFiles.first?.rows == 3)
        #expect(manifest.counts == RowCounts(rowsIn: 3_503, rowsOut: 3_500, quarantined: 3))
        #expect(manifest.stageID == "normalize")
        #expect(manifest.partition == PartitionDay("2026-11-20"))
        #expect(manifest.recordSchema == "transfer/1")
        #expect(manifest.chainetlVersion == ChainETLVersion.string)
        #expect(manifest.startedAt == "2026-11-18T11:06:40.000Z")

        let reader = try CheckpointReader.open(location, expecting: "transfer/1")
        #expect(reader.manifest == manifest)
        #expect(try readAllLines(reader) == (0..<3_500).map(sampleTransferLine))
        var quarantine: [String] = []
        try reader.forEachLine(inSideFile: "quarantine.ndjson.gz") {
            quarantine.append(String(decoding: $0, as: UTF8.self))
        }
        #expect(quarantine == [#"{"bad":0}"#, #"{"bad":1}"#, #"{"bad":2}"#])
        try reader.verify()

        let names = try FileManager.default.contentsOfDirectory(atPath: location.partitionDirectory.path)
        #expect(names == ["normalize"])
    }

    @Test func theManifestIsSortedPrettyJSONEndingInANewline() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 2)
        let url = location.directory.appendingPathComponent("_manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasPrefix("{\n"))
        #expect(text.hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["manifest_version"] as? Int == 1)
        #expect(object["stage_id"] as? String == "normalize")
        #expect(object["partition"] as? String == "2026-11-20")
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts == ["in": 2, "out": 2, "quarantined": 0, "duplicates": 0, "excluded": 0])
        let keyOrder = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { String($0.dropFirst(3)) }
        #expect(keyOrder == keyOrder.sorted())
        #expect(keyOrder.count == 17)
    }

    @Test func anEmptyCheckpointHasOneEmptyPart() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let manifest = try writeCheckpoint(location, rows: 0)
        #expect(manifest.parts.count == 1)
        #expect(manifest.parts.first?.rows == 0)
        let reader = try CheckpointReader.open(location)
        #expect(try readAllLines(reader).isEmpty)
        try reader.verify()
    }

    @Test func anExactMultipleOfRowsPerPartLeavesNoEmptyTrailingPart() throws {
        let scratch = try CheckpointScratch()
        let manifest = try writeCheckpoint(scratch.location(), rows: 20, rowsPerPart: 10)
        #expect(manifest.parts.map(\.rows) == [10, 10])
    }

    @Test func aTruncatedPartIsRefusedNamingTheStageToRerun() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let manifest = try writeCheckpoint(location, rows: 2_500)
        let path = partPath(location, 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: path))

        let reader = try CheckpointReader.open(location)
        let expected = CheckpointError.corruptFile(
            location, file: "part-00001.ndjson.gz",
            defect: .sizeMismatch(expected: manifest.parts[1].bytes, actual: data.count - 100))
        #expect(throws: expected) { try readAllLines(reader) }
        #expect(throws: expected) { try reader.verify() }
        #expect(
            expected.description
                == "checkpoint of stage 'normalize' for 2026-11-20 is corrupt: part-00001.ndjson.gz is "
                + "\(data.count - 100) bytes but its manifest says \(manifest.parts[1].bytes); "
                + "rerun it with --partition 2026-11-20 --select normalize --force")
    }

    @Test func aFlippedByteIsASha256Mismatch() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 1_500)
        let size = try Data(contentsOf: URL(fileURLWithPath: partPath(location))).count
        // Inside the deflate data, in the CRC trailer, and in the length trailer.
        for offset in [size / 2, size - 6, size - 2] {
            try flipByte(atPath: partPath(location), offset: offset)
            let reader = try CheckpointReader.open(location)
            let expected = CheckpointError.corruptFile(location, file: "part-00000.ndjson.gz", defect: .sha256Mismatch)
            #expect(throws: expected) { try readAllLines(reader) }
            #expect(throws: expected) { try reader.verify() }
            #expect(
                expected.description
                    == "checkpoint of stage 'normalize' for 2026-11-20 is corrupt: part-00000.ndjson.gz sha256 "
                    + "does not match its manifest; rerun it with --partition 2026-11-20 --select normalize --force")
            try flipByte(atPath: partPath(location), offset: offset)
            try reader.verify()
        }
    }

    @Test func aMissingPartIsRefused() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 1_500)
        try FileManager.default.removeItem(atPath: partPath(location, 1))
        let reader = try CheckpointReader.open(location)
        var seen = 0
        #expect(throws: CheckpointError.corruptFile(location, file: "part-00001.ndjson.gz", defect: .missing)) {
            try reader.forEachLine { _ in seen += 1 }
        }
        #expect(seen == 1_000)
    }

    @Test func aDamagedSideFileFailsVerification() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 10, quarantined: 50)
        let path = location.directory.appendingPathComponent("quarantine.ndjson.gz").path
        try flipByte(atPath: path, offset: 20)
        let reader = try CheckpointReader.open(location)
        #expect(throws: CheckpointError.corruptFile(location, file: "quarantine.ndjson.gz", defect: .sha256Mismatch)) {
            try reader.verify()
        }
        #expect(throws: CheckpointError.unknownSideFile(location, name: "other.ndjson.gz")) {
            try reader.forEachLine(inSideFile: "other.ndjson.gz") { _ in }
        }
    }

    @Test func aRowCountThatDisagreesWithThePartIsRefused() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        var manifest = try writeCheckpoint(location, rows: 30)
        manifest.parts[0].rows = 31
        manifest.contentHash = manifest.computeContentHash()
        try manifest.encoded().write(to: location.directory.appendingPathComponent("_manifest.json"))
        let reader = try CheckpointReader.open(location)
        #expect(
            throws: CheckpointError.corruptFile(
                location, file: "part-00000.ndjson.gz", defect: .rowCountMismatch(expected: 31, actual: 30))
        ) { try reader.verify() }
    }

    @Test func errorsThrownByTheConsumerPropagateUnchanged() throws {
        struct Stop: Error, Equatable {}
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 30)
        let reader = try CheckpointReader.open(location)
        #expect(throws: Stop()) { try reader.forEachLine { _ in throw Stop() } }
    }

    @Test func aCorruptManifestIsRefused() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 5)
        let url = location.directory.appendingPathComponent("_manifest.json")
        try Data("{\"manifest_version\": 1, \"pipeline\": ".utf8).write(to: url)
        let error = #expect(throws: CheckpointError.self) { try CheckpointReader.open(location) }
        guard case .corruptManifest(let errorLocation, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(errorLocation == location)
        #expect(
            error?.description.hasPrefix("checkpoint of stage 'normalize' for 2026-11-20 is corrupt: _manifest.json")
                == true)
        #expect(error?.description.hasSuffix("rerun it with --partition 2026-11-20 --select normalize --force") == true)
        #expect(throws: CheckpointError.self) { try CheckpointStore.existingManifest(at: location) }
    }

    @Test func anEditedManifestFailsItsContentHash() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 5)
        let url = location.directory.appendingPathComponent("_manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "\"cfg-1\"", with: "\"cfg-2\"").write(
            to: url, atomically: false, encoding: .utf8)
        #expect(throws: CheckpointError.corruptManifest(location, reason: "content_hash does not match its content")) {
            try CheckpointReader.open(location)
        }
    }

    @Test func aManifestOfAnotherUnitIsRefused() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 5)
        let moved = scratch.location(partition: "2026-11-21")
        try FileManager.default.createDirectory(at: moved.partitionDirectory, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: location.directory, to: moved.directory)
        let error = #expect(throws: CheckpointError.self) { try CheckpointReader.open(moved) }
        #expect(
            error == .corruptManifest(moved, reason: "describes stage 'normalize' for 2026-11-20 of pipeline 'demo'"))
    }

    @Test func unknownManifestAndRecordSchemaVersionsAreRefused() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        try writeCheckpoint(location, rows: 5)
        #expect(throws: CheckpointError.unexpectedRecordSchema(location, found: "transfer/1", expected: "transfer/2")) {
            try CheckpointReader.open(location, expecting: "transfer/2")
        }
        let url = location.directory.appendingPathComponent("_manifest.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "\"manifest_version\" : 1", with: "\"manifest_version\" : 2")
            .write(to: url, atomically: false, encoding: .utf8)
        let error = #expect(throws: CheckpointError.unsupportedManifestVersion(location, version: 2)) {
            try CheckpointReader.open(location)
        }
        #expect(error?.description.contains("reads only version 1") == true)
    }

    @Test func aMissingCheckpointIsReportedWithTheCommandThatBuildsIt() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location(stage: "extract_usdc")
        #expect(try CheckpointStore.existingManifest(at: location) == nil)
        let error = #expect(throws: CheckpointError.missing(location)) { try CheckpointReader.open(location) }
        #expect(error?.description.hasSuffix("run it with --partition 2026-11-20 --select extract_usdc") == true)
    }

    @Test func aTemporaryDirectoryIsNeverReadAndIsCleanedUpByTheNextWriter() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        // What a killed writer leaves: a complete-looking directory under a temporary name.
        try writeCheckpoint(location, rows: 5)
        let stale = location.partitionDirectory.appendingPathComponent("normalize.tmp-deadbeef")
        try FileManager.default.moveItem(at: location.directory, to: stale)
        #expect(try CheckpointStore.existingManifest(at: location) == nil)
        #expect(throws: CheckpointError.missing(location)) { try CheckpointReader.open(location) }

        // An uncommitted writer is invisible too.
        let writer = try CheckpointWriter(location: location, kind: "normalize", recordSchema: "transfer/1")
        try writer.append(line: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try CheckpointStore.existingManifest(at: location) == nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: location.partitionDirectory.path)
        #expect(names == [writer.temporaryDirectory.lastPathComponent])
        #expect(names.first?.hasPrefix("normalize.tmp-") == true)

        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: location.partitionDirectory.path).isEmpty)
        #expect(throws: CheckpointError.writerClosed(location)) {
            try writer.commit(configHash: "c", inputs: [:], counts: RowCounts(), startedAt: started)
        }
    }

    @Test func otherStagesTemporaryDirectoriesAreLeftAlone() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location(stage: "normalize")
        let other = location.partitionDirectory.appendingPathComponent("normalize_2.tmp-1234")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try writeCheckpoint(location, rows: 1)
        #expect(FileManager.default.fileExists(atPath: other.path))
    }

    @Test func aDroppedWriterRemovesItsTemporaryDirectory() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        var temporary: URL?
        do {
            let writer = try CheckpointWriter(location: location, kind: "normalize", recordSchema: "transfer/1")
            try writer.append(line: UnsafeRawBufferPointer(start: nil, count: 0))
            temporary = writer.temporaryDirectory
        }
        let path = try #require(temporary).path
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func thePreviousCheckpointIsKept() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let first = try writeCheckpoint(location, rows: 5, configHash: "cfg-1")
        #expect(try CheckpointStore.previousManifest(at: location) == nil)
        let second = try writeCheckpoint(location, rows: 6, configHash: "cfg-2")
        #expect(try CheckpointStore.previousManifest(at: location)?.contentHash == first.contentHash)
        #expect(try CheckpointStore.existingManifest(at: location)?.contentHash == second.contentHash)
        let third = try writeCheckpoint(location, rows: 7, configHash: "cfg-3")
        #expect(try CheckpointStore.previousManifest(at: location)?.contentHash == second.contentHash)
        #expect(try CheckpointReader.open(location).manifest == third)
        #expect(try readAllLines(CheckpointReader.open(location)).count == 7)
        let names = try FileManager.default.contentsOfDirectory(atPath: location.partitionDirectory.path).sorted()
        #expect(names == ["normalize", "normalize.prev"])
    }

    @Test func countsThatDoNotBalanceAreRejected() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let writer = try CheckpointWriter(location: location, kind: "normalize", recordSchema: "transfer/1")
        try writer.append(line: UnsafeRawBufferPointer(start: nil, count: 0))
        let counts = RowCounts(rowsIn: 10, rowsOut: 5, quarantined: 1, duplicates: 2, excluded: 1)
        #expect(!counts.balances)
        let error = #expect(throws: CheckpointError.unbalancedCounts(location, counts)) {
            try writer.commit(configHash: "c", inputs: [:], counts: counts, startedAt: started)
        }
        #expect(error?.description.contains("in 10 != out 5 + quarantined 1 + duplicates 2 + excluded 1") == true)
        #expect(try CheckpointStore.existingManifest(at: location) == nil)
        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: location.partitionDirectory.path).isEmpty)
        #expect(RowCounts(rowsIn: 10, rowsOut: 6, quarantined: 1, duplicates: 2, excluded: 1).balances)
    }

    @Test func theContentHashIgnoresTimingsButNotContent() throws {
        let scratch = try CheckpointScratch()
        let one = try writeCheckpoint(scratch.location(partition: "2026-11-20"), rows: 50)
        let again = try writeCheckpoint(scratch.location(partition: "2026-11-20"), rows: 50)
        #expect(one.contentHash == again.contentHash)
        var retimed = one
        retimed.startedAt = "2030-01-01T00:00:00.000Z"
        retimed.finishedAt = "2030-01-01T01:00:00.000Z"
        retimed.durationMs = 3_600_000
        retimed.chainetlVersion = "9.9.9"
        #expect(retimed.computeContentHash() == one.contentHash)
        var reconfigured = one
        reconfigured.inputs = ["extract": "abd"]
        #expect(reconfigured.computeContentHash() != one.contentHash)
        #expect(one.contentHash.count == 64)
        let otherConfig = try writeCheckpoint(scratch.location(partition: "2026-11-22"), rows: 50, configHash: "cfg-2")
        #expect(otherConfig.contentHash != one.contentHash)
        let otherRows = try writeCheckpoint(scratch.location(partition: "2026-11-23"), rows: 51)
        #expect(otherRows.contentHash != one.contentHash)
        let otherDetails = try writeCheckpoint(scratch.location(partition: "2026-11-24"), rows: 50, details: [:])
        #expect(otherDetails.contentHash != one.contentHash)
    }

    @Test func sideFileNamesAreValidated() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let writer = try CheckpointWriter(location: location, kind: "normalize", recordSchema: "transfer/1")
        for name in ["part-9.ndjson.gz", "../x.ndjson.gz", "quarantine.json", ".ndjson.gz", "_manifest.json"] {
            #expect(throws: CheckpointError.invalidSideFileName(location, name: name)) {
                try writer.sideFile(named: name)
            }
        }
        let side = try writer.sideFile(named: "quarantine.ndjson.gz")
        #expect(try writer.sideFile(named: "quarantine.ndjson.gz") === side)
        writer.discard()
    }

    @Test func jsonLineWritersCanBeAppended() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let writer = try CheckpointWriter(location: location, kind: "normalize", recordSchema: "transfer/1")
        var json = JSONLineWriter()
        for index in 0..<3 {
            json.reset()
            json.beginObject()
            json.key("i")
            json.int(index)
            json.endObject()
            if index == 1 { json.newline() }
            try writer.append(json)
        }
        #expect(writer.rowsWritten == 3)
        try writer.commit(configHash: "c", inputs: [:], counts: RowCounts(rowsIn: 3, rowsOut: 3), startedAt: started)
        #expect(try readAllLines(CheckpointReader.open(location)) == [#"{"i":0}"#, #"{"i":1}"#, #"{"i":2}"#])
    }

    @Test func timestampsAreISO8601UTCWithMilliseconds() {
        #expect(CheckpointWriter.partName(7) == "part-00007.ndjson.gz")
        #expect(CheckpointWriter.partName(123_456) == "part-123456.ndjson.gz")
    }

    @Test func locationsFollowTheDocumentedLayout() {
        let location = CheckpointLocation(
            workdir: URL(fileURLWithPath: "/w"), pipeline: "demo", partition: PartitionDay("2026-11-20")!,
            stageID: "load")
        #expect(location.directory.path == "/w/checkpoints/demo/2026-11-20/load")
        #expect(location.previousDirectory.path == "/w/checkpoints/demo/2026-11-20/load.prev")
        #expect(location.description == "demo/2026-11-20/load")
    }
}
