import Foundation

@testable import ChainETLCore

/// A scratch directory removed when the test ends.
final class CheckpointScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-checkpoint-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func location(stage: String = "normalize", partition: String = "2026-11-20") -> CheckpointLocation {
        CheckpointLocation(workdir: url, pipeline: "demo", partition: PartitionDay(partition)!, stageID: stage)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

/// A realistic canonical transfer line, distinct for every `index`.
func sampleTransferLine(_ index: Int) -> String {
    let hex = String(index, radix: 16)
    let padded = String(repeating: "0", count: max(0, 40 - hex.count)) + hex
    return #"{"transfer_id":"\#(String(padded.suffix(32)))","chain_id":1,"block_number":\#(1000 + index / 7),"#
        + #""block_time":"2026-11-20T00:00:12Z","block_hash":null,"tx_hash":"0x\#(padded)\#(padded.prefix(24))","#
        + #""log_index":\#(index % 7),"occurrence":0,"token_address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","#
        + #""from_address":"0x\#(padded)","to_address":"0x\#(String(padded.reversed()))","value":"\#(index * 1_000_003)","#
        + #""token_symbol":"USDC","token_name":"USD Coin","token_decimals":6,"source":"etherscan-logs"}"#
}

/// Every line of `reader`'s parts as strings.
func readAllLines(_ reader: CheckpointReader) throws -> [String] {
    var lines: [String] = []
    try reader.forEachLine { lines.append(String(decoding: $0, as: UTF8.self)) }
    return lines
}

/// Every line of the gzip file at `path` as strings.
func readGzipLines(_ path: String, chunkSize: Int = 128 * 1024, background: Bool = false) throws -> [String] {
    let reader = try GzipLineReader(path: path, chunkSize: chunkSize, background: background)
    var lines: [String] = []
    try reader.forEachLine { lines.append(String(decoding: $0, as: UTF8.self)) }
    return lines
}

/// Writes `lines` into a gzip file with `GzipLineWriter`.
@discardableResult
func writeGzipLines(_ lines: [String], to path: String) throws -> GzipFileSummary {
    let writer = try GzipLineWriter(path: path)
    for line in lines { try writer.append(line: line) }
    return try writer.finish()
}

/// Flips every bit of the byte at `offset` of the file at `path`.
func flipByte(atPath path: String, offset: Int) throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    data[offset] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: path))
}

/// Runs a program from PATH with the given stdin file, returning its stdout and exit status.
func runTool(_ arguments: [String], stdinPath: String? = nil) throws -> (output: Data, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let stdinPath { process.standardInput = FileHandle(forReadingAtPath: stdinPath) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (output, process.terminationStatus)
}

/// Commits `count` sample transfer lines (`sampleTransferLine`) as a `transfer/1` checkpoint at
/// `location` and opens it.
func writeSampleCheckpoint(at location: CheckpointLocation, lines count: Int) throws -> CheckpointReader {
    let writer = try CheckpointWriter(location: location, kind: "test", recordSchema: "transfer/1")
    for var line in (0..<count).map(sampleTransferLine) {
        try line.withUTF8 { try writer.append(line: UnsafeRawBufferPointer($0)) }
    }
    try writer.commit(
        configHash: "c", inputs: [:], counts: RowCounts(rowsIn: count, rowsOut: count), startedAt: Date())
    return try CheckpointReader.open(location)
}
