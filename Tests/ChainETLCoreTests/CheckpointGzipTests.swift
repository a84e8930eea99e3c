import Crypto
import Foundation
import Testing

@testable import ChainETLCore

@Suite("Gzip line files")
struct CheckpointGzipTests {
    @Test func roundTripsLinesAcrossChunkBoundariesAndLongLines() throws {
        let scratch = try CheckpointScratch()
        var lines = (0..<2_000).map(sampleTransferLine)
        lines.insert("", at: 10)  // an empty line is a line
        lines.insert(String(repeating: "x", count: 70_000), at: 500)  // longer than the read chunk
        let path = scratch.path("a.ndjson.gz")
        let summary = try writeGzipLines(lines, to: path)

        #expect(try readGzipLines(path, chunkSize: 4096) == lines)
        #expect(try readGzipLines(path) == lines)
        #expect(summary.rows == lines.count)
        #expect(summary.uncompressedBytes == lines.reduce(0) { $0 + $1.utf8.count + 1 })
    }

    @Test func summaryMatchesTheBytesOnDisk() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.ndjson.gz")
        let summary = try writeGzipLines((0..<300).map(sampleTransferLine), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(summary.compressedBytes == data.count)
        #expect(summary.sha256 == LowercaseHex.text(SHA256.hash(data: data)))
        #expect(data.prefix(2) == Data([0x1F, 0x8B]))  // a gzip header, not raw deflate
        let reader = try GzipLineReader(path: path)
        try reader.forEachLine { _ in }
        let digest = try reader.compressedDigest()
        #expect(digest.sha256 == summary.sha256)
        #expect(digest.bytes == data.count)
        #expect(reader.linesRead == 300)
    }

    @Test func zcatReadsWhatTheWriterWrites() throws {
        let scratch = try CheckpointScratch()
        let lines = (0..<500).map(sampleTransferLine)
        let path = scratch.path("a.ndjson.gz")
        try writeGzipLines(lines, to: path)
        let result = try runTool(["gzip", "-dc"], stdinPath: path)
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self) == lines.joined(separator: "\n") + "\n")
    }

    @Test func readsWhatGzipWrites() throws {
        let scratch = try CheckpointScratch()
        let plain = scratch.path("plain.ndjson")
        try "one\ntwo\nthree\n".write(toFile: plain, atomically: false, encoding: .utf8)
        let result = try runTool(["gzip", "-9", "-c"], stdinPath: plain)
        try #require(result.status == 0)
        let path = scratch.path("b.ndjson.gz")
        try result.output.write(to: URL(fileURLWithPath: path))
        #expect(try readGzipLines(path) == ["one", "two", "three"])
    }

    @Test func readsConcatenatedMembersAsOneStream() throws {
        let scratch = try CheckpointScratch()
        try writeGzipLines(["a", "b"], to: scratch.path("1.gz"))
        try writeGzipLines([], to: scratch.path("2.gz"))
        try writeGzipLines(["c"], to: scratch.path("3.gz"))
        var joined = Data()
        for name in ["1.gz", "2.gz", "3.gz"] {
            joined.append(try Data(contentsOf: URL(fileURLWithPath: scratch.path(name))))
        }
        let path = scratch.path("joined.gz")
        try joined.write(to: URL(fileURLWithPath: path))
        #expect(try readGzipLines(path, chunkSize: 7) == ["a", "b", "c"])
    }

    @Test func anEmptyStreamHasNoLines() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("empty.gz")
        let summary = try writeGzipLines([], to: path)
        #expect(summary.rows == 0)
        #expect(summary.compressedBytes > 0)
        #expect(try readGzipLines(path).isEmpty)
    }

    @Test func aTruncatedStreamIsAnError() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        try writeGzipLines((0..<1_000).map(sampleTransferLine), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for keep in [data.count - 1, data.count - 8, data.count / 2, 10] {
            try data.prefix(keep).write(to: URL(fileURLWithPath: path))
            #expect(throws: CheckpointError.truncatedGzip(path: path)) { try readGzipLines(path) }
        }
    }

    @Test func aZeroByteFileIsTruncated() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("zero.gz")
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.truncatedGzip(path: path)) { try readGzipLines(path) }
    }

    @Test func bytesThatAreNotGzipAreRejected() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("plain.gz")
        try Data("{\"a\":1}\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try readGzipLines(path)
            Issue.record("expected an error")
        } catch CheckpointError.invalidGzip(let errorPath, let reason) {
            #expect(errorPath == path)
            #expect(reason.contains("header"))
        }
    }

    @Test func trailingGarbageAfterAMemberIsRejected() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        try writeGzipLines(["a"], to: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.append(contentsOf: Array("garbage".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.self) { try readGzipLines(path) }
    }

    @Test func aLastLineWithoutNewlineIsAnError() throws {
        let scratch = try CheckpointScratch()
        let plain = scratch.path("plain.ndjson")
        try "one\ntwo".write(toFile: plain, atomically: false, encoding: .utf8)
        let result = try runTool(["gzip", "-c"], stdinPath: plain)
        try #require(result.status == 0)
        let path = scratch.path("b.gz")
        try result.output.write(to: URL(fileURLWithPath: path))
        let reader = try GzipLineReader(path: path)
        #expect(try reader.nextLine().map { String(decoding: $0, as: UTF8.self) } == "one")
        #expect(throws: CheckpointError.unterminatedLine(path: path)) { try reader.nextLine() }
    }

    @Test func aLineContainingANewlineIsRefused() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        let writer = try GzipLineWriter(path: path)
        try writer.append(line: "fine")
        #expect(throws: CheckpointError.lineContainsNewline(path: path, line: 2)) {
            try writer.append(line: "{\n\"pretty\":true}")
        }
        try writer.finish()
        #expect(try readGzipLines(path) == ["fine"])
    }

    @Test func writingAfterFinishIsRefused() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        let writer = try GzipLineWriter(path: path)
        let first = try writer.finish()
        #expect(try writer.finish() == first)
        #expect(throws: CheckpointError.fileClosed(path: path)) { try writer.append(line: "late") }
    }

    @Test func jsonLineWritersAreAppendedWithOrWithoutTheirNewline() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        let writer = try GzipLineWriter(path: path, level: 6)
        var json = JSONLineWriter()
        json.beginObject()
        json.key("a")
        json.int(1)
        json.endObject()
        try writer.append(json)
        json.newline()
        try writer.append(json)
        try writer.finish()
        #expect(try readGzipLines(path) == [#"{"a":1}"#, #"{"a":1}"#])
    }

    @Test func aFullDiskIsReportedAsSuch() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let writer = try GzipLineWriter(path: "/dev/full")
        let error = #expect(throws: CheckpointError.self) {
            for index in 0..<10_000 { try writer.append(line: sampleTransferLine(index)) }
            try writer.finish()
        }
        #expect(error == .diskFull(path: "/dev/full", location: nil))
        #expect(error?.description.hasPrefix("no space left on device while writing /dev/full") == true)
    }
}
