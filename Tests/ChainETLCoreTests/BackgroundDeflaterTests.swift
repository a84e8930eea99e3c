import CZlib
import Crypto
import Foundation
import Testing

@testable import ChainETLCore

/// `GzipLineWriter` compresses each buffer as an independent chunk, on `BackgroundDeflater`
/// threads once a file outgrows a buffer. Small buffers here make every file cross many buffers
/// (and lines longer than a buffer).
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
        #expect(threaded.sha256 == LowercaseHex.text(SHA256.hash(data: threadedData)))
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

    @Test func aFileOfManyChunksIsOneGzipMemberWithTheTrailerOfAllItsBytes() throws {
        let scratch = try CheckpointScratch()
        let lines = Self.lines()
        let path = scratch.path("chunked.gz")
        _ = try Self.write(lines, to: path, background: true)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let plain = Data((lines.joined(separator: "\n") + "\n").utf8)
        #expect(plain.count > 40 * 4096)  // dozens of chunks

        // `gzip -t` checks the trailer's CRC-32 and length against the bytes it inflates.
        #expect(try runTool(["gzip", "-t"], stdinPath: path).status == 0)
        #expect(try runTool(["gzip", "-dc"], stdinPath: path).output == plain)
        // One member: the trailer at the very end covers every byte, not only a last chunk.
        let crc = plain.withUnsafeBytes { UInt32(crc32_z(0, $0.bindMemory(to: Bytef.self).baseAddress, z_size_t($0.count))) }
        let trailer = [UInt8](data.suffix(8))
        #expect(trailer == Self.littleEndian(crc) + Self.littleEndian(UInt32(plain.count)))
    }

    @Test func aFileOfOneChunkIsByteForByteWhatZlibsGzipWrites() throws {
        let scratch = try CheckpointScratch()
        let lines = (0..<20).map(sampleTransferLine)
        let plain = [UInt8]((lines.joined(separator: "\n") + "\n").utf8)
        for level: Int32 in [0, 1, 6, 9] {
            let path = scratch.path("level-\(level).gz")
            let writer = try GzipLineWriter(path: path, level: level, location: nil, bufferSize: 64 * 1024)
            for line in lines { try writer.append(line: line) }
            try writer.finish()
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(written == Self.zlibGzip(plain, level: level), "level \(level)")
        }
    }

    /// `bytes` compressed in one call by zlib's own gzip wrapper, with the writer's settings.
    private static func zlibGzip(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        precondition(chainetl_deflateInit2(&stream, level, 31) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let produced = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
