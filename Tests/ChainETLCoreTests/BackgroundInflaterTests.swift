import Crypto
import Foundation
import Testing

@testable import ChainETLCore

/// `GzipLineReader(background: true)`: the file is read and inflated on a second thread, and the
/// reader must hand out exactly what a synchronous reader does: the same lines, the same errors
/// after the same lines, the same digest.
@Suite("Background inflate")
struct BackgroundInflaterTests {
    /// Small chunks, so every test file is many chunks long and the thread really runs.
    static let chunk = 4096

    /// Lines read until the first error, and that error (nil when the file read cleanly).
    static func linesUntilError(_ path: String, background: Bool) -> (lines: [String], error: CheckpointError?) {
        var lines: [String] = []
        do {
            let reader = try GzipLineReader(path: path, chunkSize: chunk, background: background)
            while let line = try reader.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
            return (lines, nil)
        } catch {
            return (lines, error as? CheckpointError)
        }
    }

    @Test func readsTheSameLinesAsASynchronousReader() throws {
        let scratch = try CheckpointScratch()
        var lines = (0..<3_000).map(sampleTransferLine)
        lines.insert("", at: 7)
        lines.insert(String(repeating: "y", count: 50_000), at: 1_200)  // spans a dozen chunks
        let path = scratch.path("a.gz")
        try writeGzipLines(lines, to: path)
        #expect(try readGzipLines(path, chunkSize: Self.chunk, background: true) == lines)
        #expect(try readGzipLines(path, chunkSize: 64, background: true) == lines)
    }

    @Test func linesEndingAnywhereInAChunkAreHandedOutWholeAndCounted() throws {
        // Lengths 0–300 in turn put line ends (and empty lines) at every offset of a 4 KiB chunk,
        // chunk boundaries included: lines inside a chunk come out in place, the others copied.
        let scratch = try CheckpointScratch()
        let lines = (0..<4_000).map { String(repeating: Character(UnicodeScalar(97 + $0 % 26)!), count: $0 % 301) }
        let path = scratch.path("a.gz")
        try writeGzipLines(lines, to: path)
        for background in [false, true] {
            let reader = try GzipLineReader(path: path, chunkSize: Self.chunk, background: background)
            var read: [String] = []
            while let line = try reader.nextLine() { read.append(String(decoding: line, as: UTF8.self)) }
            #expect(read == lines)
            #expect(reader.linesRead == lines.count)
            #expect(reader.uncompressedBytesRead == lines.reduce(0) { $0 + $1.utf8.count + 1 })
        }
    }

    @Test func readsConcatenatedMembers() throws {
        let scratch = try CheckpointScratch()
        var joined = Data()
        var expected: [String] = []
        for member in 0..<3 {
            let lines = (0..<400).map { sampleTransferLine(member * 1_000 + $0) }
            expected += lines
            try writeGzipLines(lines, to: scratch.path("\(member).gz"))
            joined.append(try Data(contentsOf: URL(fileURLWithPath: scratch.path("\(member).gz"))))
        }
        let path = scratch.path("joined.gz")
        try joined.write(to: URL(fileURLWithPath: path))
        #expect(try readGzipLines(path, chunkSize: Self.chunk, background: true) == expected)
    }

    @Test func aTruncatedFileFailsAfterTheSameLines() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        try writeGzipLines((0..<2_000).map(sampleTransferLine), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for keep in [data.count - 1, data.count / 2, Self.chunk + 10] {
            try data.prefix(keep).write(to: URL(fileURLWithPath: path))
            let synchronous = Self.linesUntilError(path, background: false)
            let background = Self.linesUntilError(path, background: true)
            #expect(background.error == .truncatedGzip(path: path))
            #expect(background.error == synchronous.error)
            #expect(background.lines == synchronous.lines)
        }
    }

    @Test func corruptBytesFailAfterTheSameLines() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        let lines = (0..<2_000).map(sampleTransferLine)
        try writeGzipLines(lines, to: path)
        let size = try Data(contentsOf: URL(fileURLWithPath: path)).count
        try flipByte(atPath: path, offset: size / 2)
        let synchronous = Self.linesUntilError(path, background: false)
        let background = Self.linesUntilError(path, background: true)
        #expect(background.error != nil)
        #expect(background.error == synchronous.error)
        #expect(background.lines.count == synchronous.lines.count)
        #expect(background.lines == synchronous.lines)
    }

    @Test func theDigestCoversTheWholeFileAfterAnErrorOrAnEarlyStop() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        try writeGzipLines((0..<2_000).map(sampleTransferLine), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let whole = LowercaseHex.text(SHA256.hash(data: data))

        let complete = try GzipLineReader(path: path, chunkSize: Self.chunk, background: true)
        try complete.forEachLine { _ in }
        #expect(try complete.compressedDigest() == (whole, data.count))
        #expect(complete.linesRead == 2_000)

        // Stopped after a few lines, with the thread still inflating ahead.
        let early = try GzipLineReader(path: path, chunkSize: Self.chunk, background: true)
        for _ in 0..<10 { _ = try early.nextLine() }
        #expect(try early.compressedDigest() == (whole, data.count))
        #expect(try early.nextLine() == nil)

        try flipByte(atPath: path, offset: data.count / 2)
        let corrupt = try GzipLineReader(path: path, chunkSize: Self.chunk, background: true)
        #expect(throws: CheckpointError.self) { try corrupt.forEachLine { _ in } }
        let flipped = LowercaseHex.text(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(try corrupt.compressedDigest() == (flipped, data.count))
    }

    @Test func aReaderDroppedMidFileStopsItsThread() throws {
        let scratch = try CheckpointScratch()
        let path = scratch.path("a.gz")
        try writeGzipLines((0..<5_000).map(sampleTransferLine), to: path)
        for _ in 0..<20 {
            let reader = try GzipLineReader(path: path, chunkSize: Self.chunk, background: true)
            _ = try reader.nextLine()
        }
        #expect(try readGzipLines(path, chunkSize: Self.chunk, background: true).count == 5_000)
    }

    @Test func checkpointReadersVerifyPartsReadInTheBackground() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let reader = try writeSampleCheckpoint(at: location, lines: 20_000)
        #expect(try readAllLines(reader) == (0..<20_000).map(sampleTransferLine))

        let part = try #require(reader.manifest.parts.first)
        let partPath = location.directory.appendingPathComponent(part.name).path
        try flipByte(atPath: partPath, offset: part.bytes / 2)
        #expect(throws: CheckpointError.corruptFile(location, file: part.name, defect: .sha256Mismatch)) {
            try reader.forEachLine { _ in }
        }
    }

    @Test func checkBytesTellsADamagedPartFromAnIntactOne() throws {
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let reader = try writeSampleCheckpoint(at: location, lines: 3_000)
        let part = try #require(reader.manifest.parts.first)
        let intact = try reader.lineReader(for: part)
        _ = try intact.nextLine()
        try intact.checkBytes()

        let partPath = location.directory.appendingPathComponent(part.name).path
        try flipByte(atPath: partPath, offset: part.bytes - 20)
        let damaged = try reader.lineReader(for: part)
        _ = try damaged.nextLine()
        #expect(throws: CheckpointError.corruptFile(location, file: part.name, defect: .sha256Mismatch)) {
            try damaged.checkBytes()
        }
    }

    @Test func aConsumersErrorOnADamagedPartBecomesTheCorruptionError() throws {
        struct Garbled: Error, Equatable {}
        let scratch = try CheckpointScratch()
        let location = scratch.location()
        let reader = try writeSampleCheckpoint(at: location, lines: 3_000)
        #expect(throws: Garbled()) { try reader.forEachLine { _ in throw Garbled() } }

        let part = try #require(reader.manifest.parts.first)
        try flipByte(atPath: location.directory.appendingPathComponent(part.name).path, offset: part.bytes - 20)
        #expect(throws: CheckpointError.corruptFile(location, file: part.name, defect: .sha256Mismatch)) {
            try reader.forEachLine { _ in throw Garbled() }
        }
    }
}
