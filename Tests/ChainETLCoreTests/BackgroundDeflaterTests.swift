import Crypto
import Foundation
import Testing

@testable import ChainETLCore

/// `GzipLineWriter` compresses on a `BackgroundDeflater` thread once a file outgrows a buffer.
/// Small buffers here make every file cross many buffers (and lines longer than a buffer).
@Suite("Background deflate")
struct BackgroundDeflaterTests {
    private static func lines() -> [String] {
        var lines = (0..<3_000).map(sampleTransferLine)
        lines.insert(String(repeating: "y", count: 9_000), at: 100)  // longer than two buffers
        lines.insert("", at: 7)
        return lines
    }

    private static func write(_ lines: [String], to path: String, background: Bool) throws -> GzipFileSummary {
        let writer = try GzipLineWriter(
            path: path, level: GzipLineWriter.defaultLevel, location: nil, bufferSize: 4096, background: background)
        for line in lines { try writer.append(line: line) }
        return try writer.finish()
    }

    @Test func backgroundAndSynchronousWritersWriteTheSameBytes() throws {
        let scratch = try CheckpointScratch()
        let lines = Self.lines()
        let threaded = try Self.write(lines, to: scratch.path("threaded.gz"), background: true)
        let inline = try Self.write(lines, to: scratch.path("inline.gz"), background: false)

        let threadedData = try Data(contentsOf: URL(fileURLWithPath: scratch.path("threaded.gz")))
        let inlineData = try Data(contentsOf: URL(fileURLWithPath: scratch.path("inline.gz")))
        #expect(threadedData == inlineData)
        #expect(threaded == inline)
        #expect(threaded.compressedBytes == threadedData.count)
        #expect(threaded.sha256 == TransferIdentity.hex(SHA256.hash(data: threadedData)))
        #expect(threaded.uncompressedBytes == lines.reduce(0) { $0 + $1.utf8.count + 1 })
        #expect(try readGzipLines(scratch.path("threaded.gz")) == lines)
    }

    @Test func aFileSmallerThanOneBufferIsWrittenWithoutAThread() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("small.gz")
        let summary = try Self.write(["{\"a\":1}"], to: path, background: true)
        #expect(summary.rows == 1)
        #expect(try readGzipLines(path) == ["{\"a\":1}"])
    }

    @Test func aWriterAbandonedMidStreamStopsItsThreadAndRefusesMoreLines() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("abandoned.gz")
        let writer = try GzipLineWriter(
            path: path, level: GzipLineWriter.defaultLevel, location: nil, bufferSize: 4096, background: true)
        for index in 0..<2_000 { try writer.append(line: sampleTransferLine(index)) }
        writer.abandon()
        #expect(throws: CheckpointError.fileClosed(path: path)) { try writer.append(line: "{}") }
        #expect(throws: CheckpointError.fileClosed(path: path)) { try writer.finish() }
        // What reached the file is an unfinished stream, never mistaken for a whole one.
        #expect(throws: CheckpointError.truncatedGzip(path: path)) { try readGzipLines(path) }
    }

    @Test func aFailureOnTheThreadReachesTheWriterAndNamesTheFile() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let writer = try GzipLineWriter(
            path: "/dev/full", level: GzipLineWriter.defaultLevel, location: nil, bufferSize: 4096, background: true)
        let error = #expect(throws: CheckpointError.self) {
            for index in 0..<5_000 { try writer.append(line: sampleTransferLine(index)) }
            try writer.finish()
        }
        #expect(error == .diskFull(path: "/dev/full", location: nil))
        #expect(!writer.isFinished)
    }
}
